"""Decisions on non-fungible envelopes: allocation limits, laureate list, notification and payments, concurrency."""

import hashlib
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tpj.audit.models import AuditEvent
from tpj.calls.models import Application, Call, DecisionLetter, Envelope, EnvelopeRequest
from tpj.calls.services import letters
from tpj.calls.services.calls import fire_call, transmit
from tpj.calls.services.decisions import decide, notify_decisions, reopen_decision
from tpj.calls.services.follow_up import record_payment
from tpj.calls.tasks.letters import draw_decision_letter, recover_decision_letters
from tpj.core import leases
from tpj.core.policy import PermissionDenied

from .factories import decidable, decided_call, make_call, manager

pytestmark = pytest.mark.django_db


def test_allocation_cannot_exceed_request_or_envelope():
    call, apps = decidable()
    with pytest.raises(ValidationError, match="dépasse le montant demandé"):
        decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000.01")})
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("50000")})
    with pytest.raises(ValidationError) as error:
        decide(apps[1], call.manager, "laureate", "Très bien", {"ARS": Decimal("45000")})
    assert (
        "L'enveloppe ARS" in error.value.message_dict["allocations"][0]
        and "il reste 40" in error.value.message_dict["allocations"][0]
    )
    apps[1].refresh_from_db()
    assert apps[1].state == Application.State.ELIGIBLE
    assert Envelope.objects.get(call=call, agency="ARS").allocated == Decimal("60000")


def test_single_agency_call_pays_only_from_its_own_envelope():
    call, apps = decidable(strand="ars")
    with pytest.raises(ValidationError) as error:
        decide(apps[0], call.manager, "laureate", "Bien", {"ARS": Decimal("10000"), "DREETS": Decimal("10000")})
    assert "porté par l'ARS seule" in error.value.message_dict["allocations"][0]


def test_database_refuses_an_over_allocated_envelope_even_without_the_service():
    call = make_call()

    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.filter(call=call, agency="ARS").update(allocated=Decimal("100000.01"))


def test_laureates_decided_needs_the_minimum_endowment_then_transmission():
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "waiting_list", "Bon projet, crédits épuisés")
    decide(apps[2], call.manager, "rejected", "Hors priorités")
    decide(apps[3], call.manager, "laureate", "Très bien", {"DREETS": Decimal("30000")})
    with pytest.raises(ValidationError, match="minimum national est de 200"):
        fire_call(call, call.manager, "decide_laureates")
    assert Call.objects.get(pk=call.pk).state == Call.State.CLOSED
    reopen_decision(apps[3], call.manager, "Montant revu")
    decide(apps[3], call.manager, "laureate", "Très bien", {"ARS": Decimal("40000"), "DREETS": Decimal("40000")})
    assert call.state_endowment() == Decimal("200000")
    fire_call(call, call.manager, "decide_laureates")
    assert not Application.objects.public_laureates().exists()
    call = transmit(call, call.manager)
    assert call.transmitted_at and call.transmitted_late == (timezone.localdate() > call.campaign.transmission_deadline)
    assert set(Application.objects.public_laureates()) == {apps[0], apps[3]}
    assert AuditEvent.objects.for_object(call).filter(action="calls.call.transmit").exists()


def test_notification_sends_letters_and_payments_stay_within_allocation(mailoutbox, django_capture_on_commit_callbacks):
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", {"ARS": Decimal("40000"), "DREETS": Decimal("40000")})
    for app in apps[2:]:
        decide(app, call.manager, "rejected", "Moins prioritaire")
    fire_call(call, call.manager, "decide_laureates")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_decisions(call, call.manager) == 4
    letter = mailoutbox[-1].attachments[0]
    assert letter[0].endswith(".pdf") and letter[1].startswith(b"%PDF")
    request = apps[0].requests.get(envelope__agency="ARS")
    record_payment(request, call.manager, Decimal("30000"), timezone.localdate())
    with pytest.raises(ValidationError, match="dépasseraient"):
        record_payment(request, call.manager, Decimal("30000.01"), timezone.localdate())


def test_other_region_manager_cannot_decide():
    call, apps = decidable()
    with pytest.raises(PermissionDenied):
        decide(apps[0], manager("ARS", "76"), "rejected", "Non")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_allocating_at_once_never_overrun_the_envelope():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")

    call, apps = decidable(strand="ars", requested=Decimal("60000"))
    dreets_free = [call.manager, manager("ARS", "53")]
    barrier = threading.Barrier(2)
    outcomes = []

    def allocate(user, app):
        try:
            barrier.wait()
            decide(app, user, "laureate", "Concurrence", {"ARS": Decimal("60000")})
            outcomes.append("ok")
        except ValidationError as e:
            outcomes.append(e.message_dict["allocations"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=(u, a)) for u, a in zip(dreets_free, apps[:2], strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert any("serait dépassée" in o for o in outcomes)
    envelope = Envelope.objects.get(call=call)
    assert envelope.allocated == Decimal("60000")
    assert Application.objects.filter(call=call, state=Application.State.LAUREATE).count() == 1


@pytest.mark.postgres
def test_postgres_trigger_refuses_an_allocation_written_around_the_services():
    if connection.vendor != "postgresql":
        pytest.skip("trigger installed on PostgreSQL only")

    call, apps = decidable(strand="ars", requested=Decimal("60000"))
    decide(apps[0], call.manager, "laureate", "Bien", {"ARS": Decimal("60000")})
    with pytest.raises(IntegrityError), transaction.atomic():
        EnvelopeRequest.objects.filter(application=apps[1]).update(amount_allocated=Decimal("50000"))


# --- decision letters: drawn once by a worker, issued from the storage --------------------------


def _letter_time_passes():
    DecisionLetter.objects.update(claimed_until=F("claimed_until") - timedelta(days=1))


def _page(client, user, call) -> str:
    client.force_login(user)
    response = client.get(reverse("calls:allocation", args=[call.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_letter_is_drawn_once_stored_with_its_checksum_in_the_audit_log_and_attached_from_storage(
    mailoutbox, django_capture_on_commit_callbacks, client
):
    call, apps = decided_call()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_decisions(call, call.manager) == 4
    letter = DecisionLetter.objects.get(application=apps[0])
    assert letter.state == DecisionLetter.State.ISSUED and letter.issued_at and letter.attempts == 1
    with letter.file.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == letter.sha256
    (event,) = AuditEvent.objects.for_object(apps[0]).filter(action="calls.decision.letter_issued")
    assert event.after["sha256"] == letter.sha256 and event.actor == call.manager
    (sent,) = [m for m in mailoutbox if m.to == [apps[0].created_by.email]]
    assert sent.attachments[0][1] == content  # the issued file, not a new drawing
    assert letter.message.attachments.get().file.name == letter.file.name  # attached from the storage, not copied

    # A copy of the task, the recovery and a second notification redraw nothing and send nothing.
    with django_capture_on_commit_callbacks(execute=True):
        draw_decision_letter(letter.pk)
        recover_decision_letters()
        assert notify_decisions(call, call.manager) == 0
    assert DecisionLetter.objects.count() == 4 and len(mailoutbox) == 4
    letter.refresh_from_db()
    assert letter.sha256 == hashlib.sha256(content).hexdigest() and letter.attempts == 1

    # The carrier downloads the letter as issued, whatever the drawing code says today.
    carrier = apps[0].created_by
    client.force_login(carrier)
    response = client.get(reverse("calls:decision-letter", args=[apps[0].pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    assert f"Courrier envoyé le {timezone.localdate():%d/%m/%Y}" in _page(client, call.manager, call)


def test_the_manager_can_leave_the_letters_are_drawn_by_the_worker_and_the_page_tells_their_state(
    mailoutbox, django_capture_on_commit_callbacks, client, monkeypatch
):
    call, apps = decided_call()
    with monkeypatch.context() as stopped:  # no worker yet: the letters wait, requested
        stopped.setattr(leases, "enqueue_quietly", lambda task, *args: False)
        with django_capture_on_commit_callbacks(execute=True):
            assert notify_decisions(call, call.manager) == 4
    assert mailoutbox == [] and not Application.objects.filter(notified_at__isnull=False).exists()
    page = _page(client, call.manager, call)
    assert page.count("Courrier en préparation") == 4 and "Courrier envoyé le" not in page

    with django_capture_on_commit_callbacks(execute=True):
        recover_decision_letters()  # the worker is back: its periodic recovery finds them
    assert len(mailoutbox) == 4 and Application.objects.filter(notified_at__isnull=False).count() == 4
    assert _page(client, call.manager, call).count("Courrier envoyé le") == 4


def test_a_letter_that_cannot_be_drawn_is_retried_then_shown_failed_with_what_to_do(
    mailoutbox, django_capture_on_commit_callbacks, client, monkeypatch
):
    call, apps = decided_call()
    with monkeypatch.context() as broken:
        broken.setattr(letters, "decision_letter_pdf", lambda app: (_ for _ in ()).throw(OSError("disque plein")))
        with django_capture_on_commit_callbacks(execute=True):
            notify_decisions(call, call.manager)
            for _ in range(letters.MAX_ATTEMPTS):
                _letter_time_passes()
                recover_decision_letters()
    assert set(DecisionLetter.objects.values_list("state", "attempts")) == {(DecisionLetter.State.FAILED, letters.MAX_ATTEMPTS)}
    assert mailoutbox == [] and not Application.objects.filter(notified_at__isnull=False).exists()
    page = _page(client, call.manager, call)
    assert "4 courriers de décision n&#x27;ont pas pu être préparés" in page and "relancer leur préparation" in page
    assert page.count("Échec de la préparation du courrier") == 4

    with django_capture_on_commit_callbacks(execute=True):  # repaired: notifying again requests them
        assert notify_decisions(call, call.manager) == 4
    assert len(mailoutbox) == 4 and set(DecisionLetter.objects.values_list("state", flat=True)) == {"issued"}


def test_a_letter_whose_worker_died_while_drawing_is_drawn_once_its_lease_expires(
    mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    call, apps = decided_call()
    with monkeypatch.context() as killed:  # the worker claims each letter, then dies (SIGKILL)
        killed.setattr(letters, "decision_letter_pdf", lambda app: (_ for _ in ()).throw(SystemExit))
        with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
            notify_decisions(call, call.manager)
    (drawing,) = DecisionLetter.objects.filter(state=DecisionLetter.State.DRAWING)
    with django_capture_on_commit_callbacks(execute=True):
        recover_decision_letters()  # its lease holds: nobody else draws it yet
    drawing.refresh_from_db()
    assert drawing.state == DecisionLetter.State.DRAWING

    _letter_time_passes()
    with django_capture_on_commit_callbacks(execute=True):
        recover_decision_letters()
    assert set(DecisionLetter.objects.values_list("state", flat=True)) == {"issued"} and len(mailoutbox) == 4
    drawing.refresh_from_db()
    assert drawing.attempts == 2
