"""Decisions on the applications and the money charged to the envelopes; decision letters."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tpj.audit.services import record
from tpj.core import policy

from ..emails import DECISION_LETTER
from ..letters import decision_letter_pdf
from ..models import (
    Application,
    Call,
)
from ..workflows import APPLICATION_WORKFLOW, OUTCOMES
from . import checks, mail
from .allocations import allocate
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

    def charge(locked: Application):
        # This decision's own amounts (the transition's guards and stamps are declared with it).
        charged = allocate(locked, allocations if laureate else {})
        record(actor=user, obj=locked, action="calls.decision.allocation", after=charged)

    try:
        # (the transition's own savepoint is rolled back on the IntegrityError: the
        # connection stays usable)
        return APPLICATION_WORKFLOW.fire(app, OUTCOMES[outcome], user, reason, on_fire=charge)
    except IntegrityError:
        raise ValidationError(
            {"allocations": "L'enveloppe serait dépassée : une autre attribution vient d'être enregistrée. Rechargez la page."}
        ) from None


def reopen_decision(app: Application, user, reason: str) -> Application:
    """Cancel a decision before the laureates are decided; its amounts go back to the envelopes."""
    return APPLICATION_WORKFLOW.fire(app, "reopen", user, reason)


def notify_decisions(call: Call, user) -> int:
    """Write each decided applicant's decision letter (PDF attached) to the outbox; return how many.

    The letters are sent after the commit. An application is recorded as notified
    (`notified_at`, the audit event, the carrier's access to the letter) by the letter's
    on-sent hook (tpj.calls.emails), once its letter has been sent, never before. An
    application whose current letter is waiting, failed (« Renvoyer » on the decisions page
    retries it) or sent gets no second one; the call's row is locked, so two managers
    notifying at once write each letter once.
    """
    policy.require(user, "calls.manage_call", call)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.state not in (Call.State.LAUREATES_DECIDED, Call.State.TRANSMITTED):
            raise ValidationError("Les décisions se notifient une fois la liste des lauréats arrêtée.")
        apps = call.applications.filter(state__in=Application.DECIDED_STATES, notified_at__isnull=True)
        lettered = current_letters(apps)
        queued = 0
        for app in apps.select_related("created_by", "call"):
            if app.pk in lettered:
                continue
            mail.send(
                DECISION_LETTER,
                app.created_by.email,
                f"Décision — {app.reference}",
                f"Veuillez trouver ci-joint la décision relative à votre candidature « {app.title} ».",
                obj=app,
                sender=user,
                attachments=[(f"decision-{app.reference}.pdf", decision_letter_pdf(app), "application/pdf")],
            )
            record(actor=user, obj=app, action="calls.decision.letter_queued")
            queued += 1
    return queued
