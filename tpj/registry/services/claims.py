"""Claiming an entry that nobody manages (issue 17 §5; claims_workflow.CLAIM_WORKFLOW).

A signed-in professional asks to manage a published entry that has no active member, or whose
identifiers (SIRET, FINESS, e-mail) their account shares (`models.identifier_match`); the
moderators of the entry's territory are told, and one of them confirms (the claimant becomes a
member) or refuses with a reason. A claim without any shared identifier is allowed: the
moderator sees it flagged « aucune correspondance d'identifiant ».
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tpj.core import policy
from tpj.core.text import control_message, first_control, french_count

from ..claims_workflow import CLAIM_WORKFLOW, ClaimMove
from ..models import ClaimState, Entry, EntryClaim, MatchedOn, has_active_member, identifier_match
from ..models.claims import OPEN_CLAIM_STATES

MESSAGE_MAX = 2000
REASON_MAX = 2000
ALREADY_PENDING = "Vous avez déjà une demande en attente pour cette fiche : un modérateur de son territoire va l'examiner."
DECISIONS = (ClaimMove.CONFIRM, ClaimMove.REFUSE)


@dataclass(frozen=True)
class ClaimOffer:
    """What the entry page says about claiming it: the button, why not, or the pending claim."""

    allowed: bool
    reason: str = ""  # why the signed-in user may not claim it
    pending: EntryClaim | None = None
    signed_out: bool = False


def claim_offer(user, entry: Entry) -> ClaimOffer | None:
    """The claim block of `entry`'s page for `user`, or None when there is nothing to say
    (members, revisions, unpublished entries; visitors, on an entry someone manages)."""
    if entry.revision_of_id or not entry.is_published:
        return None
    if not user.is_authenticated:
        # The same for every visitor (the page is served from the public cache to them).
        return None if has_active_member(entry) else ClaimOffer(allowed=False, signed_out=True)
    if entry.members.filter(pk=user.pk).exists():
        return None
    pending = EntryClaim.objects.pending().filter(entry=entry, claimant=user).first()
    if pending:
        return ClaimOffer(allowed=False, pending=pending)
    decision = policy.check(user, "registry.claim", entry)
    return ClaimOffer(allowed=decision.allowed, reason=decision.reason)


def _clean_text(value: str, subject: str, limit: int, field: str) -> str:
    """`value` stripped; a French error keyed `field` when it holds a control character or is too long."""
    value = (value or "").strip()
    if char := first_control(value):
        raise ValidationError({field: control_message(char, subject)})
    if len(value) > limit:
        raise ValidationError(
            {field: f"{subject} compte {french_count(len(value))} caractères : {french_count(limit)} caractères au plus."}
        )
    return value


def submit_claim(entry: Entry, user, message: str = "") -> EntryClaim:
    """Ask, as `user`, to manage `entry`; returns the pending claim.

    Raises `policy.PermissionDenied` when the user may not claim it, `ValidationError` (French)
    on a bad message or when the user already has a pending claim on it: two identical submits
    at once leave one claim (the database refuses the second) and a message, never an error page."""
    policy.require(user, "registry.claim", entry)
    message = _clean_text(message, "Votre message", MESSAGE_MAX, "message")
    if EntryClaim.objects.filter(entry=entry, claimant=user, state__in=OPEN_CLAIM_STATES).exists():
        raise ValidationError(ALREADY_PENDING)
    try:
        with transaction.atomic():
            claim = EntryClaim.objects.create(
                entry=entry, claimant=user, matched_on=identifier_match(user, entry), message=message
            )
            return CLAIM_WORKFLOW.fire(claim, ClaimMove.SUBMIT, user)
    except IntegrityError:
        # The same claim submitted at the same moment: the other one won.
        if EntryClaim.objects.filter(entry=entry, claimant=user, state__in=OPEN_CLAIM_STATES).exists():
            raise ValidationError(ALREADY_PENDING) from None
        raise


def decide(claim: EntryClaim, move: str, user, reason: str = "") -> EntryClaim:
    """Confirm (the claimant becomes a member) or refuse (with a reason) `claim`, as a moderator
    of the entry's territory. French `ValidationError`s; `policy.PermissionDenied` outside the scope."""
    if move not in DECISIONS:
        raise ValidationError("Choisissez une décision : confirmer ou refuser.")
    policy.require(user, "registry.decide_claim", claim)
    reason = _clean_text(reason, "Le motif", REASON_MAX, "reason")
    return CLAIM_WORKFLOW.fire(claim, move, user, reason)


def withdraw_claim(claim: EntryClaim, user) -> EntryClaim:
    """Withdraw `claim` as its author, before a moderator decides it (recorded; nobody told).
    `policy.PermissionDenied` for anyone else; a French `ValidationError` once it is decided,
    even when a moderator's decision and the withdrawal cross (the workflow locks the row)."""
    policy.require(user, "registry.withdraw_claim", claim)
    return CLAIM_WORKFLOW.fire(claim, ClaimMove.WITHDRAW, user)


def pending_claims(user):
    """The pending claims a moderator decides: their scope's, never their own, oldest first."""
    return (
        EntryClaim.objects.pending()
        .in_scope_of(user)
        .exclude(claimant=user)
        .exclude(entry__members=user)
        .select_related("entry__commune", "entry__category", "claimant__organisation")
        .order_by("created_at", "pk")
    )


def match_label(claim: EntryClaim) -> str:
    """How the moderator reads the claim's match (« aucune correspondance d'identifiant »)."""
    if claim.matched_on == MatchedOn.NONE:
        return "aucune correspondance d'identifiant"
    return f"correspondance par {claim.get_matched_on_display().replace('Adresse', 'adresse')}"


__all__ = [
    "ClaimOffer",
    "ClaimState",
    "claim_offer",
    "decide",
    "match_label",
    "pending_claims",
    "submit_claim",
    "withdraw_claim",
]
