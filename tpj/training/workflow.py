"""The training offers' moderation workflow, declared as data (DOMAIN.md §7)."""

from enum import StrEnum

from django.utils import timezone

from tpj.core.workflow import Transition, Workflow
from tpj.notifications.recipients import NOBODY

from .models import OfferState
from .recipients import MODERATORS, edit_url, members, public_url


class Move(StrEnum):
    SUBMIT = "submit"
    PUBLISH = "publish"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    WITHDRAW = "withdraw"


# The states in which the organisation edits its offer (a rejected offer may be corrected and sent again).
EDITABLE_STATES = (OfferState.DRAFT, OfferState.CHANGES_REQUESTED, OfferState.REJECTED)


def missing_for_submission(offer) -> list[str]:
    """What the offer lacks before moderation (French); empty when complete."""
    problems = []
    if not offer.themes.exists():
        problems.append("Choisissez au moins un thème du plan de formation.")
    if not offer.audiences.exists():
        problems.append("Indiquez au moins un public.")
    for field, message in (
        ("objectives", "Décrivez les objectifs de la formation."),
        ("programme", "Décrivez le programme de la formation."),
        ("format", "Indiquez la modalité : présentiel, distanciel ou mixte."),
        ("accessibility", "Indiquez l'accessibilité de la formation aux personnes en situation de handicap."),
    ):
        if not getattr(offer, field):
            problems.append(message)
    if offer.duration_hours is None:
        problems.append("Indiquez la durée de la formation en heures.")
    if offer.price_cents is None:
        problems.append("Indiquez le prix de la formation (0 si elle est gratuite).")
    if not offer.funding_routes.exists():
        problems.append("Indiquez au moins une voie de financement.")
    if not (offer.registration_url or offer.contact_email):
        problems.append("Indiquez un lien d'inscription ou un courriel de contact.")
    if not offer.sessions.exists():
        problems.append("Ajoutez au moins une session : une offre ne peut pas être soumise sans session.")
    return problems


def _stamp_submitted(offer, firing):
    offer.submitted_at = timezone.now()
    offer.decision_reason = ""


def _stamp_decision(offer, firing):
    offer.decision_reason = firing.reason


def _stamp_published(offer, firing):
    offer.published_at = timezone.now()
    offer.decision_reason = firing.reason


OFFER_WORKFLOW = Workflow(
    name="training.offer",
    state_field="state",
    group="Offre de formation",
    transitions=[
        Transition(
            Move.SUBMIT,
            "Soumettre à la modération",
            EDITABLE_STATES,
            OfferState.SUBMITTED,
            "training.submit",
            guards=(missing_for_submission,),
            stamps=(_stamp_submitted,),
            notifies=(MODERATORS,),
        ),
        Transition(
            Move.PUBLISH,
            "Vérifier et publier",
            (OfferState.SUBMITTED,),
            OfferState.PUBLISHED,
            "training.moderate",
            stamps=(_stamp_published,),
            notifies=(members(public_url),),
        ),
        Transition(
            Move.REQUEST_CHANGES,
            "Demander des modifications",
            (OfferState.SUBMITTED,),
            OfferState.CHANGES_REQUESTED,
            "training.moderate",
            requires_reason=True,
            stamps=(_stamp_decision,),
            notifies=(members(edit_url),),
        ),
        Transition(
            Move.REJECT,
            "Refuser",
            (OfferState.SUBMITTED,),
            OfferState.REJECTED,
            "training.moderate",
            requires_reason=True,
            stamps=(_stamp_decision,),
            notifies=(members(edit_url),),
        ),
        Transition(
            Move.WITHDRAW,
            "Retirer de la publication pour la modifier",
            (OfferState.PUBLISHED,),
            OfferState.DRAFT,
            "training.withdraw",
            # The organisation's own choice: nobody else has anything to do until it submits again.
            notifies=NOBODY,
        ),
    ],
)

MODERATION_MOVES = (Move.PUBLISH, Move.REQUEST_CHANGES, Move.REJECT)
