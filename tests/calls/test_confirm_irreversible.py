"""Irreversible actions are confirmed, and say what cannot be undone (issue 18 §5): a DSFR
modal on the page, a confirmation step without JavaScript, and the server fires nothing
without `confirm=1`."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from tpj.calls.models import Call
from tpj.calls.workflows import CALL_WORKFLOW

from .factories import close, decided_call, make_call

pytestmark = pytest.mark.django_db

IRREVERSIBLE = {"publish", "close_applications", "decide_laureates", "transmit"}


def _transition(client, call, name, **data):
    return client.post(reverse("calls:call-transition", args=[call.pk, name]), data)


def test_the_irreversible_transitions_of_a_call_declare_what_cannot_be_undone():
    call = Call(applications_deadline=None)
    declared = {t.name for t in CALL_WORKFLOW.transitions if t.confirmation(call)}
    assert declared == IRREVERSIBLE  # reopening the decisions takes a reason instead


def test_closing_before_the_deadline_asks_for_confirmation_with_the_deadline(client):
    deadline = timezone.now() + datetime.timedelta(weeks=6)
    call = make_call(deadline=deadline)
    client.force_login(call.manager)
    expected = (
        f"La date limite est le {date_format(timezone.localtime(deadline), 'j F Y à H:i')} : "
        "les candidats ne pourront plus déposer ni compléter leur dossier."
    )

    # The panel's button opens a DSFR modal that says it, whose button posts confirm=1.
    page = client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()
    modal_id = f"confirmer-close-applications-{call.pk}"
    assert f'aria-controls="{modal_id}" data-fr-opened="false">Clore les candidatures</button>' in page
    assert f'<dialog id="{modal_id}" class="fr-modal"' in page and expected in page
    assert 'name="confirm" value="1">Confirmer</button>' in page

    # Without JavaScript the button posts without confirm=1: the server asks, and closes nothing.
    response = _transition(client, call, "close_applications")
    assert response.status_code == 200
    step = response.content.decode()
    assert "Confirmez cette action" in step and expected in step
    assert 'name="confirm" value="1">Confirmer</button>' in step
    assert Call.objects.get(pk=call.pk).state == Call.State.PUBLISHED

    response = _transition(client, call, "close_applications", confirm="1")
    assert response.status_code == 302
    assert Call.objects.get(pk=call.pk).state == Call.State.CLOSED


def test_a_deadline_already_past_is_not_announced_as_ahead(client):
    call = make_call(deadline=timezone.now() + datetime.timedelta(minutes=1))
    Call.objects.filter(pk=call.pk).update(applications_deadline=timezone.now() - datetime.timedelta(days=1))
    client.force_login(call.manager)
    step = _transition(client, call, "close_applications").content.decode()
    assert "La date limite est le" not in step
    assert "les candidats ne pourront plus déposer ni compléter leur dossier ; elles ne pourront pas être rouvertes" in step


def test_publishing_deciding_and_transmitting_are_confirmed_first(client):
    draft = make_call(state=Call.State.DRAFT, region="76")
    client.force_login(draft.manager)
    assert escape("ne pourra plus revenir à l'état de brouillon") in _transition(client, draft, "publish").content.decode()
    assert Call.objects.get(pk=draft.pk).state == Call.State.DRAFT

    call, _ = decided_call()
    client.force_login(call.manager)
    step = _transition(client, call, "transmit").content.decode()
    assert escape("seront transmis à l'équipe nationale et publiés : ils ne pourront plus être modifiés") in step
    assert Call.objects.get(pk=call.pk).state == Call.State.LAUREATES_DECIDED
    _transition(client, call, "transmit", confirm="1")
    assert Call.objects.get(pk=call.pk).state == Call.State.TRANSMITTED


def test_the_confirmation_step_carries_the_form_and_a_refused_state_is_said_at_once(client):
    call = make_call()
    close(call)
    client.force_login(call.manager)
    # The state no longer allows publishing: no confirmation, the refusal in French.
    response = _transition(client, call, "publish")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "Action « Publier l'appel » impossible : l'état actuel est « Candidatures closes — instruction et jury »."
    ]

    # The step posts back what the form sent (e.g. a reason), with confirm=1.
    other = make_call(state=Call.State.DRAFT, region="76")
    client.force_login(other.manager)
    step = client.post(reverse("calls:call-transition", args=[other.pk, "publish"]), {"reason": "Calendrier validé"})
    html = step.content.decode()
    assert '<input type="hidden" name="reason" value="Calendrier validé">' in html
    assert f'action="{reverse("calls:call-transition", args=[other.pk, "publish"])}"' in html
    assert f'href="{reverse("calls:call-detail", args=[other.pk])}">Annuler</a>' in html


def test_a_person_who_may_not_act_is_refused_before_any_confirmation(client):
    from .factories import manager

    call = make_call()
    client.force_login(manager("ARS", "76"))
    assert _transition(client, call, "close_applications").status_code == 403


def test_validating_a_jury_sheet_is_confirmed_in_a_modal(client):
    from tpj.calls.models import JuryMember
    from tpj.calls.services.instruction import declare_eligible
    from tpj.calls.services.jury import add_jury_member, assign, declare_conflict

    from .factories import jury_user, submitted_application

    call = make_call()
    app = submitted_application(call)
    close(call)
    declare_eligible(app, call.manager)
    juror = jury_user()
    add_jury_member(call, call.manager, juror, JuryMember.Kind.FUNDER)
    assign(call, call.manager)
    sheet = juror.jury_seats.get().sheets.get()
    declare_conflict(sheet, juror, has_conflict=False)
    client.force_login(juror)
    page = client.get(reverse("calls:sheet", args=[sheet.pk])).content.decode()
    assert 'aria-controls="confirmer-notation" data-fr-opened="false">Valider ma notation</button>' in page
    assert "vous ne pourrez plus modifier vos notes ni votre commentaire" in page
    assert 'name="submit" value="confirmed">Confirmer</button>' in page

    data = {f"score_{c.pk}": "4" for c in call.criteria.all()} | {"submit": "confirmed"}
    assert client.post(reverse("calls:sheet", args=[sheet.pk]), data).status_code == 302
    sheet.refresh_from_db()
    assert sheet.submitted_at is not None


def test_declaring_an_application_eligible_or_not_is_confirmed(client):
    from tpj.calls.models import Application

    from .factories import submitted_application

    call = make_call()
    app = submitted_application(call)
    other = submitted_application(call, title="Autre projet")
    close(call)
    client.force_login(call.manager)
    page = client.get(reverse("calls:application-detail", args=[app.pk])).content.decode()
    assert 'aria-controls="confirmer-recevable" data-fr-opened="false">Déclarer recevable</button>' in page
    assert "elle ne pourra plus être déclarée irrecevable" in page
    assert 'aria-controls="confirmer-irrecevable" data-fr-opened="false">Déclarer irrecevable</button>' in page

    action = reverse("calls:application-action", args=[app.pk, "declare_eligible"])
    step = client.post(action)
    assert step.status_code == 200 and "elle ne pourra plus être déclarée irrecevable" in step.content.decode()
    assert Application.objects.get(pk=app.pk).state == Application.State.SUBMITTED
    client.post(action, {"confirm": "1"})
    assert Application.objects.get(pk=app.pk).state == Application.State.ELIGIBLE

    step = client.post(reverse("calls:application-action", args=[other.pk, "declare_ineligible"]), {"reason": "Hors région"})
    html = step.content.decode()
    assert escape("L'irrecevabilité est définitive") in html
    assert '<input type="hidden" name="reason" value="Hors région">' in html
    assert Application.objects.get(pk=other.pk).state == Application.State.SUBMITTED


def test_the_withdrawal_step_says_it_is_final_and_confirms(client):
    from tpj.calls.models import Application

    from .factories import submitted_application

    call = make_call()
    app = submitted_application(call)
    client.force_login(app.created_by)
    page = client.get(reverse("calls:application-detail", args=[app.pk])).content.decode()
    withdrawal = page.split("<summary>Retirer la candidature</summary>", 1)[1].split("</details>", 1)[0]
    assert "Le retrait est définitif" in withdrawal and '<input type="hidden" name="confirm" value="1">' in withdrawal
    client.post(reverse("calls:application-action", args=[app.pk, "withdraw"]), {"confirm": "1"})
    assert Application.objects.get(pk=app.pk).state == Application.State.WITHDRAWN
