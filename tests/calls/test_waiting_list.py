"""Once the laureates are decided: a laureate's withdrawal gives its money back to its envelopes,
and the next application of the waiting list is promoted within what is left."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.calls.models import Application, DecisionLetter, Envelope
from tpj.calls.services.calls import fire_call
from tpj.calls.services.decisions import decide, notify_decisions, promote, renounce, waiting_list
from tpj.core.policy import PermissionDenied
from tpj.notifications.models import Notification

from .factories import decidable, manager

pytestmark = pytest.mark.django_db

BOTH = {"ARS": Decimal("40000"), "DREETS": Decimal("40000")}


def with_waiting_list():
    """A joint call (100 000 € per envelope) with its laureates decided: both envelopes spent on
    two laureates, two applications on the waiting list (ranked by reference: no score)."""
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", BOTH)
    decide(apps[2], call.manager, "waiting_list", "Bon projet, crédits épuisés")
    decide(apps[3], call.manager, "waiting_list", "Bon projet, crédits épuisés")
    fire_call(call, call.manager, "decide_laureates")
    return call, apps


def allocated(call) -> dict:
    return dict(Envelope.objects.filter(call=call).values_list("agency", "allocated"))


def test_a_withdrawal_gives_the_money_back_to_its_envelopes_and_the_next_is_promoted():
    call, apps = with_waiting_list()
    assert allocated(call) == {"ARS": Decimal("100000"), "DREETS": Decimal("100000")}
    assert list(waiting_list(call)) == [apps[2], apps[3]]

    renounce(apps[1], call.manager, "Convention non signée dans les délais.")

    apps[1].refresh_from_db()
    assert apps[1].state == Application.State.WITHDRAWN
    assert allocated(call) == {"ARS": Decimal("60000"), "DREETS": Decimal("60000")}
    released = AuditEvent.objects.for_object(apps[1]).get(action="calls.decision.released")
    assert released.before == {"ARS": "40000.00", "DREETS": "40000.00"}
    assert AuditEvent.objects.for_object(apps[1]).get(action="calls.application.renounce").reason == (
        "Convention non signée dans les délais."
    )
    carrier_note = Notification.objects.get(recipient=apps[1].created_by, kind="calls.application.renounce")
    assert carrier_note.body == "Convention non signée dans les délais."
    assert Notification.objects.filter(recipient=call.co_manager, kind="calls.application.renounce").exists()

    promote(apps[2], call.manager, "Suivant sur la liste d'attente", BOTH)

    apps[2].refresh_from_db()
    assert apps[2].state == Application.State.LAUREATE and apps[2].notified_at is None
    assert allocated(call) == {"ARS": Decimal("100000"), "DREETS": Decimal("100000")}
    assert AuditEvent.objects.for_object(apps[2]).filter(action="calls.decision.allocation").latest("pk").after == {
        "ARS": "40000.00",
        "DREETS": "40000.00",
    }
    assert Notification.objects.filter(recipient=call.co_manager, kind="calls.application.promote").exists()
    assert list(waiting_list(call)) == [apps[3]]
    # The promoted carrier gets its letter of the new decision when the decisions are notified.
    notify_decisions(call, call.manager)
    assert DecisionLetter.objects.filter(application=apps[2], decided_at=apps[2].decided_at).exists()


def test_a_promotion_never_goes_beyond_what_is_left_in_an_envelope():
    call, apps = with_waiting_list()
    renounce(apps[1], call.manager, "Le porteur renonce.")
    promote(apps[2], call.manager, "Suivant", {"ARS": Decimal("40000"), "DREETS": Decimal("30000")})
    assert allocated(call) == {"ARS": Decimal("100000"), "DREETS": Decimal("90000")}

    with pytest.raises(ValidationError) as error:
        promote(apps[3], call.manager, "Suivant", {"ARS": Decimal("10000"), "DREETS": Decimal("10000")})
    assert "L'enveloppe ARS" in error.value.message_dict["allocations"][0]
    assert "il reste 0,00" in error.value.message_dict["allocations"][0]
    apps[3].refresh_from_db()
    assert apps[3].state == Application.State.WAITING_LIST
    assert allocated(call) == {"ARS": Decimal("100000"), "DREETS": Decimal("90000")}
    # Within what is left of the DREETS envelope alone, it passes.
    promote(apps[3], call.manager, "Sur l'enveloppe DREETS", {"DREETS": Decimal("10000")})
    assert allocated(call) == {"ARS": Decimal("100000"), "DREETS": Decimal("100000")}


def test_withdrawals_and_promotions_wait_for_the_laureate_list():
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", BOTH)
    decide(apps[1], call.manager, "waiting_list", "Crédits épuisés")
    with pytest.raises(ValidationError, match="une fois la liste des lauréats arrêtée"):
        renounce(apps[0], call.manager, "Désistement")
    with pytest.raises(ValidationError, match="une fois la liste des lauréats arrêtée"):
        promote(apps[1], call.manager, "Suivant", BOTH)
    assert Application.objects.get(pk=apps[1].pk).state == Application.State.WAITING_LIST


def test_withdrawals_and_promotions_need_a_reason_an_amount_and_a_manager_of_the_call():
    call, apps = with_waiting_list()
    with pytest.raises(ValidationError) as error:
        renounce(apps[1], call.manager, " ")
    assert "Indiquez un motif" in error.value.message_dict["reason"][0]
    with pytest.raises(ValidationError, match="impossible : l'état actuel est « Lauréat »"):
        promote(apps[0], call.manager, "Déjà lauréat", BOTH)
    with pytest.raises(ValidationError, match="Indiquez le montant attribué"):
        promote(apps[2], call.manager, "Sans montant", {})
    with pytest.raises(PermissionDenied, match="Seuls les gestionnaires de l'appel"):
        renounce(apps[1], manager("ARS", "76"), "Pas mon appel")
    with pytest.raises(PermissionDenied):
        promote(apps[2], user_with_role(Role.NATIONAL_TEAM), "Pas mon appel", BOTH)


def test_the_decisions_page_records_a_withdrawal_and_shows_the_next_to_promote(client):
    call, apps = with_waiting_list()
    client.force_login(call.manager)
    url = reverse("calls:allocation", args=[call.pk])

    html = client.get(url).content.decode()
    assert html.count(">Enregistrer le désistement du lauréat</button>") == 2
    assert html.count("Promouvoir depuis la liste d'attente</button>") == 2
    assert html.count("Suivant sur la liste d'attente") == 1
    assert html.index("Suivant sur la liste d'attente") > html.index(apps[2].reference)

    response = client.post(url, {"application": apps[1].pk, "renounce": "1", "reason": "Le porteur renonce.", "confirm": "1"})
    assert response.status_code == 302
    apps[1].refresh_from_db()
    assert apps[1].state == Application.State.WITHDRAWN

    # A promotion beyond the envelopes: the page says why, nothing is saved.
    prefix = f"d{apps[2].pk}"
    data = {
        "application": apps[2].pk,
        "promote": "1",
        f"{prefix}-outcome": "laureate",
        f"{prefix}-reason": "Suivant",
        "confirm": "1",  # a promotion is confirmed (tests/calls/test_confirmations_calls.py)
    }
    response = client.post(url, {**data, f"{prefix}-amount_ARS": "50000", f"{prefix}-amount_DREETS": "40000"})
    assert response.status_code == 400
    assert "serait dépassée" in response.content.decode()
    apps[2].refresh_from_db()
    assert apps[2].state == Application.State.WAITING_LIST

    response = client.post(url, {**data, f"{prefix}-amount_ARS": "40000", f"{prefix}-amount_DREETS": "40000"})
    assert response.status_code == 302
    apps[2].refresh_from_db()
    assert apps[2].state == Application.State.LAUREATE
    assert allocated(call) == {"ARS": Decimal("100000"), "DREETS": Decimal("100000")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_promoting_at_once_never_overrun_the_freed_envelopes():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    call, apps = with_waiting_list()
    renounce(apps[1], call.manager, "Le porteur renonce.")  # 40 000 € freed on each envelope
    barrier = threading.Barrier(2)
    outcomes = []

    def promote_at_once(user, app):
        try:
            barrier.wait()
            promote(app, user, "Promotion simultanée", BOTH)
            outcomes.append("ok")
        except ValidationError as e:
            outcomes.append(e.message_dict["allocations"][0])
        finally:
            connection.close()

    pairs = [(call.manager, apps[2]), (call.co_manager, apps[3])]
    threads = [threading.Thread(target=promote_at_once, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert any("serait dépassée" in o for o in outcomes), outcomes
    assert allocated(call) == {"ARS": Decimal("100000"), "DREETS": Decimal("100000")}
    assert Application.objects.filter(call=call, state=Application.State.LAUREATE).count() == 2
