import csv
import io

import pytest

from tests.factories import OrganisationFactory, UserFactory, user_with_role
from tpj.accounts.models import Role
from tpj.audit.models import AppendOnlyError, AuditEvent
from tpj.audit.services import record

pytestmark = pytest.mark.django_db


def test_record_keeps_who_what_when_and_why():
    actor = UserFactory(email="agent@example.fr")
    org = OrganisationFactory(name="Crèche Les Lucioles")
    event = record(
        actor=actor,
        obj=org,
        action="registry.verify",
        from_state="submitted",
        to_state="verified",
        reason="Pièces conformes",
        before={"a": 1},
        after={"a": 2},
    )
    event.refresh_from_db()
    assert event.actor == actor and event.actor_label == "agent@example.fr"
    assert event.object_repr == "Crèche Les Lucioles" and event.object_id == str(org.pk)
    assert (event.from_state, event.to_state, event.reason) == ("submitted", "verified", "Pièces conformes")
    assert event.after == {"a": 2}
    assert event.created_at is not None
    assert list(AuditEvent.objects.for_object(org)) == [event]


def test_system_events_have_no_actor():
    event = record(actor=None, action="system.import")
    assert event.actor is None and event.actor_label == "système"


def test_the_actor_label_survives_the_deletion_of_the_account():
    actor = UserFactory(email="bientot-supprime@example.fr")
    event = record(actor=actor, action="test.action")
    actor.delete()
    event.refresh_from_db()
    assert event.actor is None and event.actor_label == "bientot-supprime@example.fr"


def test_the_log_cannot_be_edited_or_deleted():
    event = record(actor=None, action="test.action", reason="original")
    event.reason = "falsifié"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="falsifié")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "original"


def test_the_log_page_is_for_administrators(client):
    record(actor=None, obj=OrganisationFactory(name="Maison des familles"), action="registry.submit")
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    body = client.get("/journal/").content.decode()
    assert "<h1>Journal d'audit</h1>" in body and "Maison des familles" in body
    assert "Soumission à vérification" in body and "registry.submit" not in body  # French, never the code


def test_the_log_page_filters_by_action(client):
    record(actor=None, action="registry.submit")
    record(actor=None, action="calls.call.publish")
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    body = client.get("/journal/", {"action": "calls"}).content.decode()
    assert "Publication de l&#x27;appel" in body and "Soumission à vérification" not in body


def test_the_log_page_is_paginated(client):
    for i in range(60):
        record(actor=None, action=f"test.action{i:02d}")
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    response = client.get("/journal/")
    assert len(response.context["object_list"]) == 50
    assert "Page suivante" in response.content.decode()
    assert len(client.get("/journal/", {"page": 2}).context["object_list"]) == 10


@pytest.mark.parametrize("role", [Role.NATIONAL_TEAM, Role.MODERATOR, Role.CALL_MANAGER])
def test_other_users_get_a_403_with_a_french_reason(client, role):
    client.force_login(user_with_role(role))
    for url in ("/journal/", "/journal/export.csv"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Le journal d&#x27;audit est réservé aux administrateurs." in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/journal/")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/connexion/?next=/journal/"


def test_csv_export_lists_every_event_with_accents_readable_by_spreadsheets(client):
    actor = UserFactory(email="moderatrice@example.fr")
    org = OrganisationFactory(name="Réseau périnatal")
    record(
        actor=actor,
        obj=org,
        action="registry.reject",
        from_state="submitted",
        to_state="rejected",
        reason="Pièce illisible ; à refaire",
    )
    record(actor=None, action="system.import")
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    response = client.get("/journal/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="journal-audit.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:6] == ["date", "auteur", "type d'objet", "identifiant", "objet", "action"]
    assert len(rows) == 1 + AuditEvent.objects.count()
    reject = next(r for r in rows if r[6] == "registry.reject")  # the action's code, beside its French label
    assert reject[1] == "moderatrice@example.fr" and reject[2:5] == ["organisation", str(org.pk), "Réseau périnatal"]
    assert reject[5] == "Refus" and reject[7:10] == ["submitted", "rejected", "Pièce illisible ; à refaire"]


def test_the_audit_log_is_read_only_in_the_admin(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    event = record(actor=None, action="test.action")
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
