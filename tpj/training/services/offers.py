"""Writing offers and their sessions, and moving them through the moderation workflow.

An offer and its sessions are validated together (the form and the sessions' formset, which
the API fills from its JSON too: tpj/training/api/offers_write.py), then saved in one
transaction: a bad session saves nothing. The API also adds, edits and deletes one session at
a time (`save_session`, `delete_session`), under the same lock and state check as the offer.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from tpj.audit.services import record
from tpj.core import policy

from ..models import Offer, OfferAudience, OfferFundingRoute, OfferState, Session, TrainingOrganisation
from ..workflow import EDITABLE_STATES, MODERATION_MOVES, OFFER_WORKFLOW, Move

SESSION_GONE = "Cette session n'existe plus : elle vient d'être supprimée."
NOT_EDITABLE = "Cette offre est en attente de modération ou publiée : elle n'est plus modifiable. Retirez-la de la publication pour la modifier."


def _write_choices(offer: Offer, audiences, funding_routes):
    """Replace the offer's audiences and funding routes; a value sent twice is written once."""
    offer.audiences.all().delete()
    OfferAudience.objects.bulk_create(OfferAudience(offer=offer, audience=value) for value in dict.fromkeys(audiences))
    offer.funding_routes.all().delete()
    OfferFundingRoute.objects.bulk_create(OfferFundingRoute(offer=offer, route=value) for value in dict.fromkeys(funding_routes))


@transaction.atomic
def save_offer(user, offer: Offer, *, themes, audiences, funding_routes, sessions=None) -> Offer:
    """Save the validated `offer` (new in `offer.organisation`, or a draft being edited) with
    its themes, audiences and funding routes, then `sessions`, a validated formset bound to
    it (None: sessions unchanged). Refuses who may not, and an offer no longer editable."""
    if offer.pk is None:
        policy.require(user, "training.create_offer", offer.organisation)
    else:
        _require_editable(user, offer)
    created = offer.pk is None
    offer.save()
    offer.themes.set(themes)
    _write_choices(offer, audiences, funding_routes)
    offer.sync_sessions()  # the sessions' copies of the choices just written (Offer.sync_sessions)
    if sessions is not None:
        sessions.instance = offer
        sessions.save()
    if created:
        record(actor=user, obj=offer, action="training.offer_created")
    else:
        record(actor=user, obj=offer, action="training.offer_saved")
    return offer


def check_editable(state: str) -> None:
    """Refuse (French) an offer in `state` that its organisation may no longer edit."""
    if state not in EDITABLE_STATES:
        raise ValidationError(NOT_EDITABLE)


def _require_editable(user, offer: Offer) -> None:
    """Refuse who may not edit `offer`, then an offer no longer editable (its row locked, inside
    the caller's transaction, so that a submission waits for the edit)."""
    policy.require(user, "training.edit", offer)
    check_editable(Offer.objects.select_for_update().values_list("state", flat=True).get(pk=offer.pk))


def _session_summary(session: Session) -> dict:
    return {
        "debut": session.start_date.isoformat(),
        "fin": session.end_date.isoformat(),
        "lieu": session.place_label,
        "places": session.capacity,
        "places_restantes": session.seats_left,
    }


@transaction.atomic
def save_session(user, offer: Offer, session: Session) -> Session:
    """Save one validated session (new or edited) of the editable `offer`, audited on the offer."""
    _require_editable(user, offer)
    if session.pk is not None and session.offer_id != offer.pk:
        raise ValidationError("Cette session n'appartient pas à cette offre.")
    created = session.pk is None
    stored = None if created else Session.objects.filter(pk=session.pk, offer=offer).first()
    if not created and stored is None:  # deleted meanwhile (the offer's lock orders them): never re-created
        raise ValidationError(SESSION_GONE)
    before = None if created else _session_summary(stored)
    session.offer = offer
    session.save()
    action = "training.session_added" if created else "training.session_saved"
    record(actor=user, obj=offer, action=action, before=before, after=_session_summary(session))
    return session


@transaction.atomic
def delete_session(user, offer: Offer, session: Session) -> None:
    """Delete one session of the editable `offer`, audited on the offer."""
    _require_editable(user, offer)
    if session.offer_id != offer.pk:
        raise ValidationError("Cette session n'appartient pas à cette offre.")
    deleted, _ = Session.objects.filter(pk=session.pk, offer=offer).delete()
    if not deleted:  # deleted meanwhile by another request: recorded once
        raise ValidationError(SESSION_GONE)
    record(actor=user, obj=offer, action="training.session_deleted", before=_session_summary(session))


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
