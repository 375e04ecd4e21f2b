"""Decisions on the applications and the money charged to the envelopes; decision letters."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Sum
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import policy

from ..letters import decision_letter_pdf
from ..models import (
    ZERO,
    Application,
    Call,
    Envelope,
    EnvelopeRequest,
    euros,
)
from ..workflows import APPLICATION_WORKFLOW
from . import mail
from .applications import agency_refusal

OUTCOMES = {"laureate": "select", "waiting_list": "waitlist", "rejected": "reject"}


def _allocate(app: Application, allocations: dict) -> dict:
    """Charge each amount to its envelope under a row lock, never beyond what is left or requested."""
    call = app.call
    for agency in allocations:
        if agency not in call.agencies:
            raise ValidationError({"allocations": agency_refusal(call, agency)})
    envelopes = list(Envelope.objects.select_for_update().filter(call=call).order_by("pk"))
    requests = {r.envelope_id: r for r in EnvelopeRequest.objects.select_for_update().filter(application=app)}
    done = {}
    for envelope in envelopes:
        amount = Decimal(allocations.get(envelope.agency, 0) or 0).quantize(Decimal("0.01"))
        if amount < 0:
            raise ValidationError({"allocations": "Un montant attribué ne peut pas être négatif."})
        request = requests.get(envelope.pk)
        requested = request.amount_requested if request else ZERO
        if amount > requested:
            raise ValidationError(
                {
                    "allocations": (
                        f"Le montant attribué sur l'enveloppe {envelope.agency} ({euros(amount)}) dépasse le montant demandé "
                        f"par le porteur sur cette enveloppe ({euros(requested)})."
                    )
                }
            )
        others = (
            EnvelopeRequest.objects.filter(envelope=envelope)
            .exclude(application=app)
            .aggregate(total=Sum("amount_allocated"))["total"]
            or ZERO
        )
        if others + amount > envelope.total:
            raise ValidationError(
                {
                    "allocations": (
                        f"L'enveloppe {envelope.agency} ({euros(envelope.total)}) serait dépassée : {euros(others)} déjà attribués, "
                        f"il reste {euros(envelope.total - others)}."
                    )
                }
            )
        if request is not None:
            request.amount_allocated = amount
            request.save(update_fields=["amount_allocated"])
        envelope.allocated = others + amount
        envelope.save(update_fields=["allocated"])
        done[envelope.agency] = str(amount)
    return done


def _release(app: Application):
    _allocate(app, {})


def _require_decision_period(app: Application):
    """Decisions are taken once applications are closed and until the laureates are decided
    (a state of the call, checked by the workflow side, not by the policy)."""
    if Call.objects.filter(pk=app.call_id).values_list("state", flat=True).get() != Call.State.CLOSED:
        raise ValidationError(
            "Les décisions se prennent une fois les candidatures closes et avant l'arrêt de la liste des lauréats."
        )


def decide(app: Application, user, outcome: str, reason: str, allocations: dict | None = None) -> Application:
    """Laureate (with an amount per envelope), waiting list or rejected — each with a reason.

    Safe under concurrent managers: the envelope rows are locked and re-summed, and the
    database CHECK constraints refuse any over-allocation that would slip through.
    """
    policy.require(user, "calls.decide", app)  # who before what: every outcome is the same rule
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Décision inconnue : lauréat, liste d'attente ou non retenu."})
    APPLICATION_WORKFLOW.check(app, OUTCOMES[outcome], user)
    _require_decision_period(app)
    allocations = {k: v for k, v in (allocations or {}).items() if v not in (None, "")}
    if outcome == "laureate" and not any(Decimal(v) > 0 for v in allocations.values()):
        raise ValidationError({"allocations": "Indiquez le montant attribué sur au moins une enveloppe."})

    def on_fire(locked: Application):
        _require_decision_period(locked)
        locked.decision_reason = reason.strip()
        locked.decided_at = timezone.now()
        charged = _allocate(locked, allocations if outcome == "laureate" else {})
        record(actor=user, obj=locked, action="calls.decision.allocation", after=charged)

    try:
        # (the transition's own savepoint is rolled back on the IntegrityError: the
        # connection stays usable)
        return APPLICATION_WORKFLOW.fire(app, OUTCOMES[outcome], user, reason, on_fire=on_fire)
    except IntegrityError:
        raise ValidationError(
            {"allocations": "L'enveloppe serait dépassée : une autre attribution vient d'être enregistrée. Rechargez la page."}
        ) from None


def reopen_decision(app: Application, user, reason: str) -> Application:
    def on_fire(locked):
        _require_decision_period(locked)
        _release(locked)
        locked.decision_reason = ""
        locked.decided_at = None
        locked.notified_at = None

    return APPLICATION_WORKFLOW.fire(app, "reopen", user, reason, on_fire=on_fire)


def notify_decisions(call: Call, user) -> int:
    """Send each decided applicant its decision letter (PDF attached); returns how many were sent."""
    policy.require(user, "calls.manage_call", call)
    call.refresh_from_db(fields=["state"])
    if call.state not in (Call.State.LAUREATES_DECIDED, Call.State.TRANSMITTED):
        raise ValidationError("Les décisions se notifient une fois la liste des lauréats arrêtée.")
    sent = 0
    for app in call.applications.filter(state__in=Application.DECIDED_STATES, notified_at__isnull=True).select_related(
        "created_by", "call"
    ):
        pdf = decision_letter_pdf(app)
        mail.send(
            app.created_by.email,
            f"Décision — {app.reference}",
            f"Veuillez trouver ci-joint la décision relative à votre candidature « {app.title} ».",
            attachments=[(f"decision-{app.reference}.pdf", pdf, "application/pdf")],
        )
        app.notified_at = timezone.now()
        app.save(update_fields=["notified_at", "updated_at"])
        record(actor=user, obj=app, action="calls.decision.notified")
        sent += 1
    return sent
