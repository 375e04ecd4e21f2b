"""Decisions on non-fungible envelopes: allocation limits, laureate list, notification and payments, concurrency."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tpj.audit.models import AuditEvent
from tpj.calls.models import Application, Call, Envelope, EnvelopeRequest
from tpj.calls.services.calls import fire_call, transmit
from tpj.calls.services.decisions import decide, notify_decisions, reopen_decision
from tpj.calls.services.follow_up import record_payment
from tpj.core.policy import PermissionDenied

from .factories import decidable, make_call, manager

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
