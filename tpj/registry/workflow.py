"""The registration workflow, declared as data (docs/domain.md, registry)."""

from enum import StrEnum

from django.utils import timezone

from tpj.core.workflow import Transition, Workflow
from tpj.notifications.recipients import NOBODY

from .models import ReviewState, State
from .recipients import MODERATORS, confirm_url, edit_url, members, public_url


class Move(StrEnum):
    """The names of the registry's transitions, as views, API, services and mails refer to them."""

    SUBMIT = "submit"
    VERIFY = "verify"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"


EDITABLE_SOURCES = (State.DRAFT, State.CHANGES_REQUESTED, State.REJECTED)

# Who is told (tpj.notifications): the moderators of the entry's territory of a submission;
# the members of each moderator's decision, which `services.notifications.notify_members`
# already e-mails them with its reason (told in the platform, not e-mailed twice).
ENTRY_WORKFLOW = Workflow(
    name="registry",
    state_field="state",
    group="Annuaire",
    transitions=[
        Transition(
            Move.SUBMIT,
            "Soumettre à vérification",
            EDITABLE_SOURCES,
            State.SUBMITTED,
            "registry.submit",
            notifies=(MODERATORS,),
        ),
        Transition(
            Move.VERIFY,
            "Vérifier et publier",
            (State.SUBMITTED,),
            State.VERIFIED,
            "registry.moderate",
            notifies=(members(public_url, emailed_elsewhere=True),),
        ),
        Transition(
            Move.REJECT,
            "Refuser",
            (State.SUBMITTED,),
            State.REJECTED,
            "registry.moderate",
            requires_reason=True,
            notifies=(members(edit_url, emailed_elsewhere=True),),
        ),
        Transition(
            Move.REQUEST_CHANGES,
            "Demander des modifications",
            (State.SUBMITTED,),
            State.CHANGES_REQUESTED,
            "registry.moderate",
            requires_reason=True,
            notifies=(members(edit_url, emailed_elsewhere=True),),
        ),
        Transition(
            Move.SUSPEND,
            "Suspendre",
            (State.VERIFIED,),
            State.SUSPENDED,
            "registry.moderate",
            requires_reason=True,
            notifies=(members(edit_url, emailed_elsewhere=True),),
        ),
        Transition(
            Move.REINSTATE,
            "Rétablir",
            (State.SUSPENDED,),
            State.VERIFIED,
            "registry.moderate",
            notifies=(members(public_url, emailed_elsewhere=True),),
        ),
    ],
)

MODERATION_TRANSITIONS = (Move.VERIFY, Move.REJECT, Move.REQUEST_CHANGES, Move.SUSPEND, Move.REINSTATE)


class ReviewMove(StrEnum):
    """The transitions of the yearly accuracy review (services/review.py)."""

    REQUEST = "request_confirmation"
    CONFIRM = "confirm"
    PROPOSE_SUSPENSION = "propose_suspension"
    CONFIRM_SUSPENSION = "confirm_suspension"
    KEEP = "keep"


def _stamp_requested(entry, firing):
    entry.review_requested_at = timezone.now()


def _stamp_reviewed(entry, firing):
    entry.reviewed_at = timezone.now()
    entry.review_requested_at = None


# The yearly review, on its own field: the entry stays published (and on the map) while its
# members are asked and while a suspension is only proposed; the moderator's confirmation
# suspends it through the registry workflow (services.review.confirm_suspension).
# "registry.review_by_system" is granted to the scheduled jobs alone (no user).
REVIEW_WORKFLOW = Workflow(
    name="registry.review",
    state_field="review_state",
    group="Annuaire",
    transitions=[
        Transition(
            ReviewMove.REQUEST,
            "Demander la confirmation annuelle de l'exactitude",
            (ReviewState.CURRENT, ReviewState.LAPSED),
            ReviewState.REQUESTED,
            "registry.review_by_system",
            stamps=(_stamp_requested,),
            # services.review e-mails each member a personal one-click link: told in the platform too.
            notifies=(members(confirm_url, emailed_elsewhere=True),),
        ),
        Transition(
            ReviewMove.CONFIRM,
            "Confirmer l'exactitude de la fiche",
            (ReviewState.REQUESTED, ReviewState.SUSPENSION_PROPOSED),
            ReviewState.CURRENT,
            "registry.confirm_accuracy",
            stamps=(_stamp_reviewed,),
            # A member answered for the entry: nothing changes for anyone (the entry stays
            # published, a proposed suspension leaves the moderators' review queue).
            notifies=NOBODY,
        ),
        Transition(
            ReviewMove.PROPOSE_SUSPENSION,
            "Proposer la suspension faute de confirmation",
            (ReviewState.REQUESTED,),
            ReviewState.SUSPENSION_PROPOSED,
            "registry.review_by_system",
            # The members may still confirm, and avoid the suspension. The moderators hear of
            # the proposals in their daily digest (services.ageing), not one by one.
            notifies=(members(confirm_url),),
        ),
        Transition(
            ReviewMove.CONFIRM_SUSPENSION,
            "Confirmer la suspension",
            (ReviewState.SUSPENSION_PROPOSED,),
            ReviewState.LAPSED,
            "registry.moderate",
            requires_reason=True,
            # services.review.confirm_suspension suspends the entry next (Move.SUSPEND), which
            # tells the members, with the reason.
            notifies=NOBODY,
        ),
        Transition(
            ReviewMove.KEEP,
            "Maintenir la fiche publiée",
            (ReviewState.SUSPENSION_PROPOSED,),
            ReviewState.CURRENT,
            "registry.moderate",
            stamps=(_stamp_reviewed,),
            # The entry stays published as it was: its members have nothing to do (their next
            # review comes in a year), and the moderator who kept it is the only one concerned.
            notifies=NOBODY,
        ),
    ],
)
