"""The money of a decision: amounts charged to the envelopes under row locks, and given back."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum

from ..models import (
    ZERO,
    Application,
    Envelope,
    EnvelopeRequest,
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


def release(app: Application):
    allocate(app, {})
