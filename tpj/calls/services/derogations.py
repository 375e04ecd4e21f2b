"""National derogations to the minimum endowment of a call's laureates: the way out when the
applications cannot reach it (docs/domain.md § 5.10).

The call's managers ask for one with their reason (`request_derogation`): the national team is
told. The national team grants it, with the endowment it accepts instead and its reason, or
refuses it with its reason (`grant_derogation`, `refuse_derogation`; it may grant one unasked):
the call's managers are told. Each step locks the call's row, is recorded in the audit log on
the call (its figures in `after`: the call's history reads the call's own states), and bumps the national dashboard (through its model's signals), which lists them.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import policy
from tpj.notifications.services import notify

from ..models import Call, MinimumDerogation
from ..notification_kinds import DEROGATION_GRANTED, DEROGATION_REFUSED, DEROGATION_REQUESTED
from ..recipients import call_managers, call_url, national_team
from .allocations import amount, progress_of

D = MinimumDerogation.State
# A derogation has an object only until the laureate list is decided, which it unblocks.
OPEN_STATES = (Call.State.DRAFT, Call.State.PUBLISHED, Call.State.CLOSED)


def current_derogation(call: Call) -> MinimumDerogation | None:
    """The call's derogation asked or granted, if any (at most one: `one_open_derogation_per_call`)."""
    return call.derogations.filter(state__in=[D.REQUESTED, D.GRANTED]).select_related("requested_by", "decided_by").first()


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


def _locked_open_call(call: Call) -> Call:
    call = Call.objects.select_for_update().select_related("campaign").get(pk=call.pk)
    if call.state not in OPEN_STATES:
        raise ValidationError("La liste des lauréats de cet appel est déjà arrêtée : une dérogation n'a plus d'objet.")
    return call


def _figures(derogation: MinimumDerogation) -> dict:
    return {
        "minimum": str(derogation.minimum),
        "endowment": str(derogation.endowment),
        "accepted": str(derogation.accepted),
    }


def request_derogation(call: Call, user, reason: str) -> MinimumDerogation:
    """A call manager asks the national team for a derogation, with its reason."""
    policy.require(user, "calls.manage_call", call)
    reason = _reason(reason, "Indiquez le motif de la demande : pourquoi le minimum national ne peut pas être atteint.")
    with transaction.atomic():
        call = _locked_open_call(call)
        if (existing := current_derogation(call)) is not None:
            raise ValidationError(
                f"Une dérogation est déjà {existing.get_state_display().lower()} pour cet appel "
                f"(le {timezone.localtime(existing.requested_at):%d/%m/%Y})."
            )
        progress = progress_of(call)
        if progress.reached:
            raise ValidationError("Les lauréats atteignent déjà le minimum national : aucune dérogation n'est nécessaire.")
        derogation = MinimumDerogation.objects.create(
            call=call,
            minimum=progress.minimum,
            endowment=progress.endowment,
            request_reason=reason,
            requested_by=user,
        )
        record(actor=user, obj=call, action="calls.derogation.requested", reason=reason, after=_figures(derogation))
        notify(
            DEROGATION_REQUESTED,
            national_team(),
            target=call,
            title=f"Dérogation au minimum national demandée ({progress.sentence}) : {call}",
            body=reason,
            url=call_url(call),
            may_see="calls.grant_minimum_derogation",
            actor=user,
        )
    return derogation


def _accepted(value, minimum: Decimal) -> Decimal:
    try:
        accepted = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"accepted": "Indiquez la dotation minimale acceptée, en euros."}) from None
    if not accepted.is_finite() or accepted < 0:
        raise ValidationError({"accepted": "La dotation minimale acceptée ne peut pas être négative."})
    if accepted >= minimum:
        raise ValidationError(
            {
                "accepted": f"La dotation acceptée doit être inférieure au minimum national ({amount(minimum)}) : "
                "sinon, aucune dérogation n'est nécessaire."
            }
        )
    return accepted


def grant_derogation(call: Call, user, accepted, reason: str, answering: int | None = None) -> MinimumDerogation:
    """The national team grants the call a derogation: its laureates may be endowed with
    `accepted` (below the national minimum) in all. Answers the request, or grants one unasked.

    `answering` is the request the deciding person saw (its id, from the page): when someone
    answered it in the meantime, the grant is refused, so that two answers given at once end
    as one (a grant after a refusal is then a new, deliberate decision)."""
    policy.require(user, "calls.grant_minimum_derogation", call)
    reason = _reason(reason, "Indiquez le motif de la dérogation : il est communiqué aux gestionnaires de l'appel.")
    with transaction.atomic():
        call = _locked_open_call(call)
        progress = progress_of(call)
        accepted = _accepted(accepted, progress.minimum)
        derogation = current_derogation(call)
        if answering is not None and (derogation is None or derogation.pk != answering or derogation.state != D.REQUESTED):
            raise ValidationError("Cette demande de dérogation a reçu une réponse entre-temps : rechargez la page pour la voir.")
        if derogation is not None and derogation.state == D.GRANTED:
            raise ValidationError("Une dérogation est déjà accordée pour cet appel.")
        if derogation is None:  # unasked: the figures of today
            derogation = MinimumDerogation(call=call, minimum=progress.minimum, endowment=progress.endowment)
        derogation.state, derogation.accepted = D.GRANTED, accepted
        derogation.decision_reason, derogation.decided_by, derogation.decided_at = reason, user, timezone.now()
        derogation.save()
        record(
            actor=user,
            obj=call,
            action="calls.derogation.granted",
            reason=reason,
            after=_figures(derogation),
        )
        notify(
            DEROGATION_GRANTED,
            call_managers(call),
            target=call,
            title=f"Dérogation au minimum national accordée (dotation minimale de {amount(accepted)}) : {call}",
            body=reason,
            url=call_url(call),
            may_see="calls.manage_call",
            actor=user,
        )
    return derogation


def refuse_derogation(call: Call, user, reason: str) -> MinimumDerogation:
    """The national team refuses the derogation asked, with its reason (it may be asked again)."""
    policy.require(user, "calls.grant_minimum_derogation", call)
    reason = _reason(reason, "Indiquez le motif du refus : il est communiqué aux gestionnaires de l'appel.")
    with transaction.atomic():
        call = _locked_open_call(call)
        derogation = current_derogation(call)
        if derogation is None or derogation.state != D.REQUESTED:
            raise ValidationError("Aucune demande de dérogation n'attend de réponse pour cet appel.")
        derogation.state = D.REFUSED
        derogation.decision_reason, derogation.decided_by, derogation.decided_at = reason, user, timezone.now()
        derogation.save()
        record(
            actor=user,
            obj=call,
            action="calls.derogation.refused",
            reason=reason,
            after=_figures(derogation),
        )
        notify(
            DEROGATION_REFUSED,
            call_managers(call),
            target=call,
            title=f"Dérogation au minimum national refusée : {call}",
            body=reason,
            url=call_url(call),
            may_see="calls.manage_call",
            actor=user,
        )
    return derogation
