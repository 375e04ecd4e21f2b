"""Writing offers and their sessions, and moving them through the moderation workflow.

An offer and its sessions are validated together (the form and the sessions' formset, or
the API's serializer), then saved in one transaction: a bad session saves nothing.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from tpj.audit.services import record
from tpj.core import policy

from ..models import Offer, OfferAudience, OfferFundingRoute, OfferState, TrainingOrganisation
from ..workflow import EDITABLE_STATES, MODERATION_MOVES, OFFER_WORKFLOW, Move

NOT_EDITABLE = "Cette offre est en attente de modération ou publiée : elle n'est plus modifiable. Retirez-la de la publication pour la modifier."


def _write_choices(offer: Offer, audiences, funding_routes):
    offer.audiences.all().delete()
    OfferAudience.objects.bulk_create(OfferAudience(offer=offer, audience=value) for value in audiences)
    offer.funding_routes.all().delete()
    OfferFundingRoute.objects.bulk_create(OfferFundingRoute(offer=offer, route=value) for value in funding_routes)


@transaction.atomic
def save_offer(user, offer: Offer, *, themes, audiences, funding_routes, sessions=None) -> Offer:
    """Save the validated `offer` (new in `offer.organisation`, or a draft being edited) with
    its themes, audiences and funding routes, then `sessions`, a validated formset bound to
    it (None: sessions unchanged). Refuses who may not, and an offer no longer editable."""
    if offer.pk is None:
        policy.require(user, "training.create_offer", offer.organisation)
    else:
        policy.require(user, "training.edit", offer)
        stored = Offer.objects.select_for_update().values_list("state", flat=True).get(pk=offer.pk)
        if stored not in EDITABLE_STATES:
            raise ValidationError(NOT_EDITABLE)
    created = offer.pk is None
    offer.save()
    offer.themes.set(themes)
    _write_choices(offer, audiences, funding_routes)
    if sessions is not None:
        sessions.instance = offer
        sessions.save()
    if created:
        record(actor=user, obj=offer, action="training.offer_created")
    else:
        record(actor=user, obj=offer, action="training.offer_saved")
    return offer


def new_offer(organisation: TrainingOrganisation) -> Offer:
    return Offer(organisation=organisation, state=OfferState.DRAFT)


def submit(offer: Offer, user) -> Offer:
    """Send the offer to moderation; refused (French list) while something is missing, a session first of all."""
    return OFFER_WORKFLOW.fire(offer, Move.SUBMIT, user)


def withdraw(offer: Offer, user) -> Offer:
    """Take a published offer back to draft, so that its organisation corrects it and submits it again."""
    return OFFER_WORKFLOW.fire(offer, Move.WITHDRAW, user)


def moderate(offer: Offer, move: str, user, reason: str = "") -> Offer:
    """Publish, ask changes or reject (the last two with a reason, told to the organisation's members)."""
    if move not in MODERATION_MOVES:
        raise ValidationError(f"Décision de modération inconnue : « {move[:50]} ».")
    return OFFER_WORKFLOW.fire(offer, move, user, reason=reason)
