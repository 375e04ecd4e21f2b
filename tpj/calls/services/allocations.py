"""The money of a decision: amounts charged to the envelopes under row locks, and given back;
the laureates' endowment against the national minimum."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from ..models import (
    NNBSP,
    ZERO,
    Application,
    Call,
    Envelope,
    EnvelopeRequest,
    MinimumDerogation,
    euros,
)
from .content import agency_refusal


def allocate(app: Application, allocations: dict) -> dict:
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


def release(app: Application) -> dict:
    """Give the amounts allocated to `app` back to their envelopes; return them ({agency: amount}, those > 0)."""
    freed = {r.envelope.agency: str(r.amount_allocated) for r in app.requests.select_related("envelope") if r.amount_allocated}
    allocate(app, {})
    return freed


def after_laureates_problems(app: Application) -> list[str]:
    """A laureate's withdrawal and a promotion from the waiting list are recorded once the
    laureates are decided (before, the decision itself is taken again). Locks the call's row
    inside a transaction, after the application's, as `checks.decision_period_problems` does."""
    rows = Call.objects.filter(pk=app.call_id)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    if rows.values_list("state", flat=True).get() not in (Call.State.LAUREATES_DECIDED, Call.State.TRANSMITTED):
        return [
            "Les désistements et les promotions depuis la liste d'attente s'enregistrent une fois la liste des lauréats "
            "arrêtée ; avant, modifiez simplement la décision."
        ]
    return []


# --- the national minimum ---------------------------------------------------------------------


def amount(value) -> str:
    """An amount in French, without cents when it has none: « 160 000 € », « 1 234,50 € »."""
    return euros(value).replace(f",00{NNBSP}€", f"{NNBSP}€")


@dataclass(frozen=True)
class MinimumProgress:
    """A call's laureates' State endowment against the national minimum for its kind
    (`Campaign.minimum_for`), or against the lower endowment a national derogation accepted."""

    endowment: Decimal
    minimum: Decimal
    accepted: Decimal | None = None  # the endowment a granted derogation accepts instead

    @property
    def target(self) -> Decimal:
        return self.minimum if self.accepted is None else self.accepted

    @property
    def reached(self) -> bool:
        return self.endowment >= self.target

    @property
    def missing(self) -> Decimal:
        return max(self.target - self.endowment, ZERO)

    @property
    def percent(self) -> int:
        """How far toward the target, 0 to 100, rounded down (never "100" before it is reached)."""
        if self.target <= 0:
            return 100
        return min(100, int(self.endowment * 100 // self.target))

    @property
    def sentence(self) -> str:
        """« 160 000 € sur 200 000 € — il manque 40 000 € », or that it is reached."""
        if not self.reached:
            return f"{amount(self.endowment)} sur {amount(self.target)} — il manque {amount(self.missing)}"
        if self.accepted is not None and self.accepted < self.minimum:
            return f"{amount(self.endowment)} attribués : dotation de {amount(self.accepted)} acceptée par dérogation nationale"
        return f"{amount(self.endowment)} attribués : minimum national de {amount(self.minimum)} atteint"

    @property
    def derogation_note(self) -> str:
        """What the derogation changed, when one is granted ("" otherwise)."""
        if self.accepted is None:
            return ""
        return (
            f"Dérogation nationale accordée : dotation minimale acceptée de {amount(self.accepted)} "
            f"au lieu du minimum national de {amount(self.minimum)}."
        )


def minimum_progress(calls) -> dict[int, MinimumProgress]:
    """{call id: MinimumProgress} of `calls` (their campaigns loaded with them), in two queries
    whatever their number: the laureates' allocations summed per call, the granted derogations."""
    ids = [call.pk for call in calls]
    endowments = dict(
        EnvelopeRequest.objects.filter(application__call_id__in=ids, application__state=Application.State.LAUREATE)
        .values("application__call_id")
        .annotate(total=Sum("amount_allocated"))
        .order_by()
        .values_list("application__call_id", "total")
    )
    accepted = dict(
        MinimumDerogation.objects.filter(call_id__in=ids, state=MinimumDerogation.State.GRANTED).values_list(
            "call_id", "accepted"
        )
    )
    return {
        call.pk: MinimumProgress(endowments.get(call.pk) or ZERO, call.minimum_endowment, accepted.get(call.pk)) for call in calls
    }


def progress_of(call: Call) -> MinimumProgress:
    """`minimum_progress` of one call."""
    return minimum_progress([call])[call.pk]


def open_call_warning(call: Call) -> str:
    """While the call receives applications: the minimum its laureates will need, and what the
    applications submitted so far ask in all ("" once the applications are closed, or for a
    kind of call without a national minimum)."""
    if call.state not in (Call.State.DRAFT, Call.State.PUBLISHED) or not call.definition.national_minimum:
        return ""
    kind = "d'un appel commun ARS-DREETS" if call.is_joint else "d'un appel d'une seule agence"
    asked = (
        EnvelopeRequest.objects.filter(application__call=call)
        .exclude(application__state__in=[Application.State.DRAFT, Application.State.WITHDRAWN])
        .aggregate(total=Sum("amount_requested"))["total"]
        or ZERO
    )
    warning = (
        f"Les lauréats devront être dotés d'au moins {amount(call.minimum_endowment)} au total (minimum national {kind}) : "
        "en deçà, la liste des lauréats ne pourra être arrêtée qu'avec une dérogation de l'équipe nationale. "
        f"Les candidatures déposées demandent à ce jour {amount(asked)}"
    )
    if asked < call.minimum_endowment:
        return f"{warning}, soit {amount(call.minimum_endowment - asked)} de moins que ce minimum."
    return f"{warning}."
