"""Decisions on the applications and the money charged to the envelopes; their notification."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tpj.audit.services import record
from tpj.core import policy

from ..models import (
    Application,
    Call,
)
from ..workflows import APPLICATION_WORKFLOW, OUTCOMES
from . import checks
from .allocations import after_laureates_problems, allocate
from .jury import ranking
from .letters import request_letter
from .notifications import current_letters


def decide(app: Application, user, outcome: str, reason: str, allocations: dict | None = None) -> Application:
    """Laureate (with an amount per envelope), waiting list or rejected — each with a reason.

    Safe under concurrent managers: the envelope rows are locked and re-summed, and the
    database CHECK constraints refuse any over-allocation that would slip through.
    """
    policy.require(user, "calls.decide", app)  # who before what: every outcome is the same rule
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Décision inconnue : lauréat, liste d'attente ou non retenu."})
    APPLICATION_WORKFLOW.check(app, OUTCOMES[outcome], user)
    if problems := checks.decision_period_problems(app):
        raise ValidationError(problems)
    allocations = {k: v for k, v in (allocations or {}).items() if v not in (None, "")}
    laureate = outcome == Application.State.LAUREATE
    if laureate and not any(Decimal(v) > 0 for v in allocations.values()):
        raise ValidationError({"allocations": "Indiquez le montant attribué sur au moins une enveloppe."})

    return _fire_with_amounts(app, OUTCOMES[outcome], user, reason, allocations if laureate else {})


def _fire_with_amounts(app: Application, name: str, user, reason: str, allocations: dict) -> Application:
    """Fire `name` charging `allocations` to the envelopes in its transaction (the transition's
    guards and stamps are declared with it), recorded in the audit log."""

    def charge(locked: Application):
        charged = allocate(locked, allocations)
        record(actor=user, obj=locked, action="calls.decision.allocation", after=charged)

    try:
        # (the transition's own savepoint is rolled back on the IntegrityError: the
        # connection stays usable)
        return APPLICATION_WORKFLOW.fire(app, name, user, reason, on_fire=charge)
    except IntegrityError:
        raise ValidationError(
            {"allocations": "L'enveloppe serait dépassée : une autre attribution vient d'être enregistrée. Rechargez la page."}
        ) from None


def reopen_decision(app: Application, user, reason: str) -> Application:
    """Cancel a decision before the laureates are decided; its amounts go back to the envelopes."""
    return APPLICATION_WORKFLOW.fire(app, "reopen", user, reason)


def waiting_list(call: Call):
    """The call's waiting list in ranking order: the first is the next to promote."""
    return ranking(call).filter(state=Application.State.WAITING_LIST)


def renounce(app: Application, user, reason: str) -> Application:
    """Once the laureates are decided, record that a laureate withdraws (or did not sign its
    convention), with the reason: its amounts go back to their envelopes (recorded)."""
    return APPLICATION_WORKFLOW.fire(app, "renounce", user, reason)


def promote(app: Application, user, reason: str, allocations: dict) -> Application:
    """Once the laureates are decided, promote an application of the waiting list to laureate,
    with its amount per envelope: charged as a decision's, under the envelopes' row locks, never
    beyond what is left in each (what a withdrawal gave back) nor what was requested. Its
    carrier gets its new letter when the decisions are notified."""
    APPLICATION_WORKFLOW.check(app, "promote", user)
    if problems := after_laureates_problems(app):
        raise ValidationError(problems)
    allocations = {k: v for k, v in (allocations or {}).items() if v not in (None, "")}
    if not any(Decimal(v) > 0 for v in allocations.values()):
        raise ValidationError({"allocations": "Indiquez le montant attribué sur au moins une enveloppe."})
    return _fire_with_amounts(app, "promote", user, reason, allocations)


def notify_decisions(call: Call, user) -> int:
    """Ask the workers for each decided applicant's decision letter; return how many.

    Each letter is drawn once by a worker, stored as issued (its SHA-256 in the audit log)
    and e-mailed through the outbox with the stored PDF attached (tpj.calls.services.letters).
    An application is recorded as notified (`notified_at`, the audit event, the carrier's
    access to the letter) by the letter's on-sent hook (tpj.calls.emails), once its letter
    has been sent, never before. An application whose current letter is being prepared,
    issued or sent gets no second one (a failed drawing is requested again; a failed e-mail
    is sent again with « Renvoyer »); the call's row is locked, so two managers notifying at
    once request each letter once. The manager need not wait: the decisions page shows each
    letter's state.
    """
    policy.require(user, "calls.manage_call", call)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.state not in (Call.State.LAUREATES_DECIDED, Call.State.TRANSMITTED):
            raise ValidationError("Les décisions se notifient une fois la liste des lauréats arrêtée.")
        apps = call.applications.filter(state__in=Application.DECIDED_STATES, notified_at__isnull=True)
        lettered = current_letters(apps)  # e-mailed letters of before the worker tier
        queued = 0
        for app in apps:
            if app.pk in lettered or request_letter(app, user) is None:
                continue
            record(actor=user, obj=app, action="calls.decision.letter_queued")
            queued += 1
    return queued
