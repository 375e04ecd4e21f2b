"""Instruction notes are the internal notes of the application's thread: written and read by
its instruction team (managers and instructors), never shown to the carrier nor to the jury —
not on a page, not through the API, not in an export, not in a notification."""

import html

import pytest
from django.urls import reverse

from tpj.calls.models import JuryMember
from tpj.calls.services import instruction_team as team
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import add_jury_member, assign, declare_conflict
from tpj.conversations.models import Message
from tpj.notifications.models import Notification

from .factories import close, jury_user, make_call, submitted_application
from .test_instruction_team import agent

pytestmark = pytest.mark.django_db

NOTE = "Budget prévisionnel à revoir : la ligne animation paraît surévaluée."


@pytest.fixture
def setting():
    call = make_call()
    app = submitted_application(call)
    instructor = agent(first_name="Yann", last_name="Caradec")
    member = team.add_instructor(call, call.manager, instructor)
    team.assign(call, call.manager, member, [app.pk])
    return call, app, instructor


def _write_note(client, app, user):
    client.force_login(user)
    detail = reverse("calls:application-detail", args=[app.pk])
    return client.post(
        reverse("conversations:thread", args=["candidature", app.pk]),
        {"body": NOTE, "internal": "1", "next": detail},
    )


def test_an_instructor_writes_a_note_the_team_reads(client, setting):
    call, app, instructor = setting
    response = _write_note(client, app, instructor)
    assert response.status_code == 302 and response["Location"].startswith(reverse("calls:application-detail", args=[app.pk]))
    assert Message.objects.get().internal
    client.force_login(call.manager)
    page = html.unescape(client.get(reverse("calls:application-detail", args=[app.pk])).content.decode())
    notes = page.split('id="notes-instruction"')[1].split("</section>")[0]
    assert NOTE in notes and "Yann Caradec" in notes
    assert Notification.objects.filter(
        recipient=call.manager, kind="conversations.message", title__startswith="Note interne"
    ).exists()


def test_the_carrier_and_the_jury_never_see_a_note(client, api_client, setting):
    call, app, instructor = setting
    _write_note(client, app, instructor)
    close(call)
    declare_eligible(app, call.manager)
    juror = jury_user()
    add_jury_member(call, call.manager, juror, JuryMember.Kind.FUNDER)
    assign(call, call.manager)
    declare_conflict(app.sheets.get(member__user=juror), juror, has_conflict=False)
    for user in (app.created_by, juror):
        client.force_login(user)
        page = client.get(reverse("calls:application-detail", args=[app.pk]))
        assert page.status_code == 200
        text = html.unescape(page.content.decode())
        assert NOTE not in text and "Notes d'instruction" not in text
        export = client.get(reverse("conversations:export", args=["candidature", app.pk]))
        assert NOTE not in export.content.decode() if export.status_code == 200 else export.status_code == 403
        api_client.force_authenticate(user)
        api = api_client.get(f"/api/v1/applications/{app.pk}/")
        assert api.status_code == 200 and NOTE not in api.content.decode()
        assert not Notification.objects.filter(recipient=user, body__contains="surévaluée").exists()
        assert not Notification.objects.filter(recipient=user, title__startswith="Note interne").exists()


def test_the_carrier_cannot_write_a_note(client, setting):
    _call, app, _instructor = setting
    response = _write_note(client, app, app.created_by)
    assert response.status_code == 400
    assert "Les notes internes sont réservées au service instructeur" in html.unescape(response.content.decode())
    assert not Message.objects.exists()
