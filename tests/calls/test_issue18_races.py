"""Issue 18's money and decisions raced on PostgreSQL (committed transactions, several threads
at the same instant): one outcome, the rules held, a French refusal for the others."""

import threading
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from tests.concurrency import CONCURRENT_ON_POSTGRES
from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.calls.models import MinimumDerogation
from tpj.calls.services.conventions import record_instalment_payment, shares, sign_convention
from tpj.calls.services.derogations import grant_derogation, refuse_derogation, request_derogation

from .test_conventions import issued, signed_pdf
from .test_minimum_derogation import at_160k

pytestmark = CONCURRENT_ON_POSTGRES


def at_once(*actions):
    """Run `actions` in threads released together; return each one's outcome ("ok" or its messages)."""
    barrier, outcomes = threading.Barrier(len(actions)), [None] * len(actions)

    def run(index, action):
        barrier.wait(30)
        try:
            action()
            outcomes[index] = "ok"
        except ValidationError as error:
            outcomes[index] = error.messages
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_a_derogation_granted_and_refused_at_once_gets_one_answer():
    call, _ = at_160k()
    national, other = user_with_role(Role.NATIONAL_TEAM), user_with_role(Role.NATIONAL_TEAM)
    asked = request_derogation(call, call.manager, "Peu de candidatures recevables.")

    outcomes = at_once(  # both answer the request their page showed
        lambda: grant_derogation(call, national, Decimal("160000"), "Territoire peu doté en porteurs.", asked.pk),
        lambda: refuse_derogation(call, other, "Relancez un appel complémentaire."),
    )

    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    derogation = MinimumDerogation.objects.get(call=call)
    decided = AuditEvent.objects.for_object(call).filter(action__in=["calls.derogation.granted", "calls.derogation.refused"])
    assert decided.count() == 1 and decided.get().action == f"calls.derogation.{derogation.state}"


def test_two_payments_of_the_remaining_amount_at_once_pay_it_once(django_capture_on_commit_callbacks):
    call, app, convention = issued(django_capture_on_commit_callbacks)
    sign_convention(convention, call.manager, signed_pdf(), timezone.localdate())
    first = convention.instalments.order_by("pk").first()
    ars = app.requests.get(envelope__agency="ARS")
    due = next(s.remaining for s in shares(convention) if s.instalment.pk == first.pk and s.request.pk == ars.pk)
    today = timezone.localdate()

    outcomes = at_once(*[lambda: record_instalment_payment(first, ars, call.manager, due, today)] * 4)

    assert outcomes.count("ok") == 1, outcomes
    assert all("la dépasserait" in " ".join(o) for o in outcomes if o != "ok")
    paid = next(s.paid for s in shares(convention) if s.instalment.pk == first.pk and s.request.pk == ars.pk)
    assert paid == due
