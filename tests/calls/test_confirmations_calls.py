"""The calls' remaining irreversible actions are confirmed first (issue 18 §5): promoting from the
waiting list, drawing and signing a convention, recording a payment, granting or refusing a
derogation, sending a report or recording its receipt. Each button opens a DSFR modal saying
what cannot be undone (its « Confirmer » sends `confirm=<action>`); without JavaScript the
POST (no `confirm`) only shows the confirmation step and changes nothing; confirmed, it is done."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.calls.letters import simple_pdf
from tpj.calls.models import Application, Convention, IntentDeclaration, MinimumDerogation, Payment, Report, ScoreSheet
from tpj.calls.services.calls import fire_call
from tpj.calls.services.conventions import ScheduleLine, request_convention, save_schedule
from tpj.calls.services.decisions import decide, renounce
from tpj.calls.services.derogations import request_derogation
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import add_jury_member, assign, declare_conflict
from tpj.calls.workflow_confirmations import ACTIONS
from tpj.calls.workflows import APPLICATION_WORKFLOW

from .factories import (
    CampaignFactory,
    close,
    decidable,
    decided_call,
    jury_user,
    make_call,
    manager,
    pdf_upload,
    submitted_application,
)

pytestmark = pytest.mark.django_db

STEP = "Confirmez cette action"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _modal(page: str, modal_id: str, label: str, text: str, value: str = "1") -> None:
    """The page's button `label` opens modal `modal_id`, which says `text` and confirms with `value`."""
    assert f'aria-controls="{modal_id}" data-fr-opened="false">{label}</button>' in page
    start = page.index(f'<dialog id="{modal_id}" class="fr-modal"')
    dialog = page[start : page.index("</dialog>", start)]
    assert text in dialog and f'name="confirm" value="{value}">Confirmer</button>' in dialog


def _step(response, text: str) -> str:
    assert response.status_code == 200
    page = _text(response)
    assert STEP in page and text in page and 'name="confirm" value="1">Confirmer</button>' in page
    return page


# --- promoting from the waiting list -------------------------------------------------------------


def _after_withdrawal():
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", {"ARS": Decimal("40000"), "DREETS": Decimal("40000")})
    decide(apps[2], call.manager, "waiting_list", "Crédits épuisés")
    decide(apps[3], call.manager, "rejected", "Hors priorités")
    fire_call(call, call.manager, "decide_laureates")
    renounce(apps[1], call.manager, "Le porteur renonce.")
    return call, apps[2]


def test_promoting_from_the_waiting_list_is_confirmed(client):
    call, waiting = _after_withdrawal()
    client.force_login(call.manager)
    url = reverse("calls:allocation", args=[call.pk])
    said = APPLICATION_WORKFLOW.get("promote").confirmation(waiting)
    assert f"Le dossier {waiting.reference} deviendra lauréat" in said and "ne pourra pas être annulée" in said
    _modal(_text(client.get(url)), f"confirmer-promotion-d{waiting.pk}", "Promouvoir depuis la liste d'attente", said)

    prefix = f"d{waiting.pk}"
    data = {
        "application": waiting.pk,
        "promote": "1",
        f"{prefix}-outcome": "laureate",
        f"{prefix}-reason": "Suivant sur la liste",
        f"{prefix}-amount_ARS": "40000",
        f"{prefix}-amount_DREETS": "40000",
    }
    page = _step(client.post(url, data), said)
    assert f'<input type="hidden" name="{prefix}-amount_ARS" value="40000">' in page
    assert Application.objects.get(pk=waiting.pk).state == Application.State.WAITING_LIST

    assert client.post(url, {**data, "confirm": "1"}).status_code == 302
    assert Application.objects.get(pk=waiting.pk).state == Application.State.LAUREATE


def test_a_promotion_without_amounts_is_refused_at_once(client):
    call, waiting = _after_withdrawal()
    client.force_login(call.manager)
    prefix = f"d{waiting.pk}"
    response = client.post(
        reverse("calls:allocation", args=[call.pk]),
        {"application": waiting.pk, "promote": "1", f"{prefix}-outcome": "laureate", f"{prefix}-reason": "Suivant"},
    )
    assert response.status_code == 400 and STEP not in _text(response)
    assert Application.objects.get(pk=waiting.pk).state == Application.State.WAITING_LIST


# --- the convention: drawn, signed, paid ---------------------------------------------------------


def _schedule_data(issue=False):
    data = {
        "signature_deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "echeances-TOTAL_FORMS": "2",
        "echeances-INITIAL_FORMS": "0",
        "echeances-MIN_NUM_FORMS": "0",
        "echeances-MAX_NUM_FORMS": "12",
        "echeances-0-label": "À la signature",
        "echeances-0-percent": "100",
    }
    return {**data, "rediger": "1"} if issue else data


def test_drawing_the_convention_is_confirmed_and_saving_the_schedule_is_not(client, django_capture_on_commit_callbacks):
    call, apps = decided_call()
    app = apps[0]
    client.force_login(call.manager)
    said = ACTIONS["issue_convention"].confirmation()
    assert "son échéancier ne pourra plus être modifié" in said
    _modal(
        _text(client.get(reverse("calls:convention", args=[app.pk]))),
        f"confirmer-redaction-{app.pk}",
        "Enregistrer et rédiger la convention (PDF)",
        said,
        value="issue_convention",
    )
    url = reverse("calls:convention-action", args=[app.pk, "echeancier"])

    page = _step(client.post(url, _schedule_data(issue=True)), said)
    assert '<input type="hidden" name="rediger" value="1">' in page
    assert not Convention.objects.exists()

    assert client.post(url, _schedule_data()).status_code == 302  # the schedule alone: saved at once
    assert Convention.objects.get().state == Convention.State.DRAFT

    with django_capture_on_commit_callbacks(execute=True):  # the modal's « Confirmer »
        client.post(url, {**_schedule_data(), "confirm": "issue_convention"})
    assert Convention.objects.get().state == Convention.State.ISSUED


def _issued(django_capture_on_commit_callbacks):
    call, apps = decided_call()
    app = apps[0]
    convention = save_schedule(
        app, call.manager, [ScheduleLine("À la signature", 100)], timezone.localdate() + datetime.timedelta(days=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        request_convention(convention, call.manager)
    assert Convention.objects.get().state == Convention.State.ISSUED
    return call, app


def _pdf():
    return SimpleUploadedFile("signee.pdf", simple_pdf("Convention", ["Signée."]), content_type="application/pdf")


def test_recording_the_signed_convention_is_confirmed_and_asks_for_the_file_again(client, django_capture_on_commit_callbacks):
    call, app = _issued(django_capture_on_commit_callbacks)
    client.force_login(app.created_by)
    said = ACTIONS["sign_convention"].confirmation()
    _modal(
        _text(client.get(reverse("calls:convention", args=[app.pk]))),
        f"confirmer-signature-{app.pk}",
        "Enregistrer la convention signée",
        said,
        value="sign_convention",
    )
    url = reverse("calls:convention-action", args=[app.pk, "signature"])
    today = timezone.localdate().isoformat()

    page = _step(client.post(url, {"signed_on": today, "file": _pdf()}), said)
    assert 'enctype="multipart/form-data"' in page and 'type="file" id="confirm-file" name="file"' in page
    assert "Choisissez à nouveau le fichier" in page
    assert f'<input type="hidden" name="signed_on" value="{today}">' in page
    assert Convention.objects.get().state == Convention.State.ISSUED

    bad = client.post(url, {"signed_on": today, "file": SimpleUploadedFile("c.pdf", b"<html>pas un pdf</html>")})
    assert bad.status_code == 400 and STEP not in _text(bad)  # refused at once, nothing to confirm

    client.post(url, {"signed_on": today, "file": _pdf(), "confirm": "1"})
    assert Convention.objects.get().state == Convention.State.SIGNED


def test_recording_a_payment_is_confirmed(client, django_capture_on_commit_callbacks):
    call, app = _issued(django_capture_on_commit_callbacks)
    client.force_login(app.created_by)
    client.post(
        reverse("calls:convention-action", args=[app.pk, "signature"]),
        {"signed_on": timezone.localdate().isoformat(), "file": _pdf(), "confirm": "sign_convention"},
    )
    convention = Convention.objects.get()
    assert convention.state == Convention.State.SIGNED
    client.force_login(call.manager)
    _modal(
        _text(client.get(reverse("calls:convention", args=[app.pk]))),
        f"confirmer-versement-{app.pk}",
        "Enregistrer le versement",
        "il ne pourra être ni modifié ni supprimé",
        value="record_payment",
    )
    url = reverse("calls:convention-action", args=[app.pk, "versement"])
    data = {
        "instalment": convention.instalments.get().pk,
        "request": app.requests.get(envelope__agency="ARS").pk,
        "amount": "1000",
        "paid_on": timezone.localdate().isoformat(),
        "label": "Premier versement",
    }
    _step(client.post(url, data), "Le versement de 1\u202f000,00\u202f€ sera enregistré")
    assert not Payment.objects.exists()
    client.post(url, {**data, "confirm": "record_payment"})
    assert Payment.objects.get().amount == Decimal("1000")


# --- the national team's decision on a derogation --------------------------------------------------


def _requested():
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", {"ARS": Decimal("20000"), "DREETS": Decimal("20000")})
    for app in apps[2:]:
        decide(app, call.manager, "rejected", "Hors priorités")
    request_derogation(call, call.manager, "Peu de candidatures recevables.")
    return call


@pytest.mark.parametrize(
    ("decision", "action", "state"),
    [("grant", "grant_derogation", "granted"), ("refuse", "refuse_derogation", "refused")],
)
def test_deciding_a_derogation_is_confirmed(client, decision, action, state):
    call = _requested()
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    said = ACTIONS[action].confirmation(call)
    modal_id = f"confirmer-derogation-{'accordee' if decision == 'grant' else 'refusee'}-{call.pk}"
    label = "Accorder la dérogation" if decision == "grant" else "Refuser la dérogation"
    _modal(_text(client.get(reverse("calls:call-detail", args=[call.pk]))), modal_id, label, said, value=action)
    url = reverse("calls:derogation-decide", args=[call.pk])
    data = {"decision": decision, "accepted": "160000", "reason": "Territoire peu doté."}

    page = _step(client.post(url, data), said)
    assert f'<input type="hidden" name="decision" value="{decision}">' in page
    assert MinimumDerogation.objects.get(call=call).state == "requested"

    assert client.post(url, {**data, "confirm": "1"}).status_code == 302  # the step's « Confirmer »
    assert MinimumDerogation.objects.get(call=call).state == state


def test_the_modal_confirms_the_decision_it_says(client):
    """The modal's « Confirmer » is sent without the button that opened it: it names the decision."""
    call = _requested()
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    url = reverse("calls:derogation-decide", args=[call.pk])
    client.post(url, {"accepted": "160000", "reason": "Relancez un appel.", "confirm": "refuse_derogation"})
    assert MinimumDerogation.objects.get(call=call).state == "refused"


def test_a_derogation_decision_without_reason_is_refused_at_once(client):
    call = _requested()
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    response = client.post(reverse("calls:derogation-decide", args=[call.pk]), {"decision": "grant", "accepted": "1"})
    assert response.status_code == 302
    assert MinimumDerogation.objects.get(call=call).state == "requested"


# --- the laureates' reports ------------------------------------------------------------------------


def test_sending_a_report_is_confirmed_and_asks_for_the_file_again(client):
    call, apps = decided_call()
    app = apps[0]
    client.force_login(app.created_by)
    said = ACTIONS["send_report"].confirmation("Rapport final")
    assert said.startswith("Le rapport final sera transmis aux gestionnaires de l'appel")
    detail = _text(client.get(reverse("calls:application-detail", args=[app.pk])))
    _modal(detail, "confirmer-envoi-final", "Envoyer le rapport", said, value="send_report")
    url = reverse("calls:report-action", args=[app.pk, "final", "envoyer"])

    page = _step(client.post(url, {"file": pdf_upload("final.pdf"), "comment": "Bilan"}), said)
    assert 'type="file" id="confirm-file" name="file"' in page and '<input type="hidden" name="comment" value="Bilan">' in page
    assert not Report.objects.filter(application=app, kind="final", received_on__isnull=False).exists()

    refused = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00")}, follow=True)
    assert STEP not in _text(refused) and "n'est ni un PDF" in _text(refused)  # said at once

    client.post(url, {"file": pdf_upload("final.pdf"), "comment": "Bilan", "confirm": "1"})
    assert Report.objects.get(application=app, kind="final").received_on == timezone.localdate()


def test_recording_a_report_received_by_post_is_confirmed(client):
    call, apps = decided_call()
    app = apps[0]
    client.force_login(call.manager)
    said = ACTIONS["record_report_received"].confirmation("Rapport intermédiaire")
    detail = _text(client.get(reverse("calls:application-detail", args=[app.pk])))
    _modal(detail, "confirmer-reception-interim", "Enregistrer la réception", said, value="record_report_received")
    url = reverse("calls:report-action", args=[app.pk, "interim", "recu"])
    day = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()

    _step(client.post(url, {"date": day}), said)
    assert not Report.objects.filter(application=app, kind="interim", received_on__isnull=False).exists()
    client.post(url, {"date": day, "confirm": "record_report_received"})
    assert Report.objects.get(application=app, kind="interim").received_on.isoformat() == day


# --- a conflict of interest discovered after declaring none ----------------------------------------


def test_declaring_a_late_conflict_is_confirmed(client):
    call = make_call()
    app = submitted_application(call)
    close(call)
    declare_eligible(app, call.manager)
    juror = jury_user()
    add_jury_member(call, call.manager, juror, "funder")
    assign(call, call.manager)
    sheet = juror.jury_seats.get().sheets.get()
    declare_conflict(sheet, juror, has_conflict=False)
    client.force_login(juror)
    url = reverse("calls:sheet", args=[sheet.pk])
    said = ACTIONS["declare_late_conflict"].confirmation()
    _modal(_text(client.get(url)), "confirmer-conflit", "Déclarer un conflit d'intérêts", said, value="declare_late_conflict")

    page = _step(client.post(url, {"late_conflict": "1", "note": "Mon conjoint préside l'association."}), said)
    assert '<input type="hidden" name="late_conflict" value="1">' in page
    assert ScoreSheet.objects.get(pk=sheet.pk).has_conflict is False

    client.post(url, {"note": "Mon conjoint préside l'association.", "confirm": "declare_late_conflict"})
    assert ScoreSheet.objects.get(pk=sheet.pk).has_conflict is True


# --- the agency's declaration of intent ----------------------------------------------------------


def test_declaring_the_intent_for_a_campaign_is_confirmed(client):
    campaign = CampaignFactory(year=timezone.localdate().year + 1)
    ars = manager("ARS", "11")
    client.force_login(ars)
    url = reverse("calls:declare")
    said = ACTIONS["declare_intent"].confirmation()
    _modal(_text(client.get(url)), "confirmer-declaration", "Transmettre la déclaration", said, value="declare_intent")
    data = {"campaign": campaign.pk, "referent_name": "Anne", "referent_email": "anne@ars.fr"}

    page = _step(client.post(url, data), said)
    assert f"Campagne {campaign.year}" in page and '<input type="hidden" name="referent_name" value="Anne">' in page
    assert not IntentDeclaration.objects.filter(campaign=campaign, region_id="11").exists()

    assert client.post(url, {**data, "confirm": "1"}).status_code == 302
    assert IntentDeclaration.objects.filter(campaign=campaign, region_id="11", agency="ARS").exists()


def test_who_may_not_draw_the_convention_is_refused_before_any_confirmation(client):
    call, apps = decided_call()
    app = apps[0]
    client.force_login(app.created_by)  # the carrier reads its convention, the managers draw it
    url = reverse("calls:convention-action", args=[app.pk, "echeancier"])
    response = client.post(url, _schedule_data(issue=True), follow=True)
    assert STEP not in _text(response) and "Seuls les gestionnaires" in _text(response)
    assert not Convention.objects.exists()
