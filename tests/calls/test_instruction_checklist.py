"""The instruction checklist: the default points and the call's own, ticked and unticked per
application by its instruction team (htmx or a plain form), with who did it and when."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tpj.audit.models import AuditEvent
from tpj.calls.models import DEFAULT_CHECKLIST, ChecklistTick
from tpj.calls.services import instruction_team as team
from tpj.core.policy import PermissionDenied

from .factories import make_call, submitted_application
from .test_instruction_team import agent

pytestmark = pytest.mark.django_db


def page(client, app) -> str:
    return html.unescape(client.get(reverse("calls:application-detail", args=[app.pk])).content.decode())


def test_default_points_then_the_call_own_ones():
    call = make_call()
    app = submitted_application(call)
    assert (
        [line.label for line in team.checklist(app)]
        == list(DEFAULT_CHECKLIST)
        == [
            "Pièces complètes",
            "Porteur éligible (SIRET)",
            "Lieux d'action dans la région",
            "Budget équilibré",
            "Rattachement à un axe",
        ]
    )
    team.add_checklist_item(call, call.manager, "  Lettre de soutien de la PMI ")
    assert team.checklist(app)[-1].label == "Lettre de soutien de la PMI"
    for label, message in [
        ("", "Écrivez le point à vérifier."),
        ("budget équilibré", "« budget équilibré » figure déjà dans la liste de vérification."),
        ("x" * 201, "200 caractères au plus"),
    ]:
        with pytest.raises(ValidationError, match=message):
            team.add_checklist_item(call, call.manager, label)
    assert call.added_checklist_items.count() == 1
    assert AuditEvent.objects.filter(action="calls.instruction.checklist_item_added").count() == 1


def test_ticking_without_javascript_shows_who_and_when(client):
    call = make_call()
    app = submitted_application(call)
    user = agent(first_name="Anne", last_name="Le Bihan")
    team.add_instructor(call, call.manager, user)
    client.force_login(user)
    url = reverse("calls:application-instruction", args=[app.pk, "cocher"])
    response = client.post(url, {"label": "Budget équilibré", "ticked": "1"})
    assert response.status_code == 302 and response["Location"].endswith("#instruction-equipe")
    text = page(client, app)
    assert "Budget équilibré" in text and "coché par Anne Le Bihan le" in text
    tick = ChecklistTick.objects.get(application=app, label="Budget équilibré")
    assert tick.ticked and tick.changed_by == user
    # the manager unticks it: the line says so, the audit log keeps both
    client.force_login(call.manager)
    client.post(url, {"label": "Budget équilibré", "ticked": "0"})
    assert f"décoché par {call.manager} le" in page(client, app)
    events = AuditEvent.objects.filter(action="calls.application.checklist").order_by("pk")
    assert [(e.actor, e.after) for e in events] == [
        (user, {"item": "Budget équilibré", "ticked": True}),
        (call.manager, {"item": "Budget équilibré", "ticked": False}),
    ]


def test_ticking_with_htmx_returns_the_checklist_only(client):
    call = make_call()
    app = submitted_application(call)
    client.force_login(call.manager)
    response = client.post(
        reverse("calls:application-instruction", args=[app.pk, "cocher"]),
        {"label": "Pièces complètes", "ticked": "1"},
        HTTP_HX_REQUEST="true",
    )
    body = html.unescape(response.content.decode())
    assert response.status_code == 200 and body.startswith('<div id="verification">')
    assert "Vérifié" in body and "<html" not in body


def test_a_point_not_in_the_list_and_strangers_are_refused(client):
    call = make_call()
    app = submitted_application(call)
    with pytest.raises(ValidationError, match="ne figure pas dans la liste de vérification"):
        team.set_tick(app, call.manager, "Point inventé", True)
    with pytest.raises(PermissionDenied):
        team.set_tick(app, app.created_by, "Pièces complètes", True)
    client.force_login(app.created_by)
    url = reverse("calls:application-instruction", args=[app.pk, "cocher"])
    assert client.post(url, {"label": "Pièces complètes", "ticked": "1"}).status_code == 403
    assert not ChecklistTick.objects.exists()
    # the carrier's page shows no checklist
    assert "Liste de vérification" not in page(client, app)


def test_removing_a_call_point_removes_its_ticks():
    call = make_call()
    app = submitted_application(call)
    item = team.add_checklist_item(call, call.manager, "Attestation URSSAF")
    team.set_tick(app, call.manager, "Attestation URSSAF", True)
    team.remove_checklist_item(call, call.manager, item)
    assert not ChecklistTick.objects.exists() and "Attestation URSSAF" not in team.checklist_labels(call)
    assert AuditEvent.objects.get(action="calls.instruction.checklist_item_removed").after["ticks_removed"] == 1
