"""Submission to moderation and moderators' decisions."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from .. import aggregates
from ..models import Entry, State
from ..workflow import ENTRY_WORKFLOW, MODERATION_TRANSITIONS, Move
from .entries import apply_revision
from .notifications import notify_members


def submission_errors(entry: Entry) -> list[str]:
    """What is missing before the entry can be sent to moderation (French)."""
    errors = []
    if not entry.commune_id:
        errors.append("Indiquez la commune de l'activité.")
    if not entry.priorities.exists():
        errors.append("Cochez au moins une priorité des 1000 premiers jours, avec ce que vous faites pour elle.")
    elif entry.priorities.filter(description="").exists():
        errors.append("Décrivez en quelques mots ce que vous faites pour chaque priorité cochée.")
    if not entry.situations.exists():
        errors.append("Déclarez au moins une situation d'éligibilité, avec l'organisme qui vous fait confiance et une référence.")
    return errors


def submit(entry: Entry, user) -> Entry:
    """Send a draft (or a corrected entry) to moderation. A second click changes nothing."""
    ENTRY_WORKFLOW.check(entry, Move.SUBMIT, user)  # who and when before what is missing
    errors = submission_errors(entry)
    if errors:
        raise ValidationError(errors)

    def stamp(locked):
        locked.submitted_at = timezone.now()
        locked.decision_reason = ""

    return ENTRY_WORKFLOW.fire(entry, Move.SUBMIT, user, on_fire=stamp)


def moderate(entry: Entry, transition: str, user, reason: str = "") -> Entry:
    """Verify, reject, request changes, suspend or reinstate; notify the members.

    The map counts follow the entry's publication, which the transition's states decide:
    an entry that reaches "verified" is published (a verified revision is copied onto its
    published entry instead), one that leaves "verified" is not any more.
    """
    if transition not in MODERATION_TRANSITIONS:
        raise ValidationError(f"Action de modération inconnue : « {transition} ».")
    move = ENTRY_WORKFLOW.get(transition)

    def on_fire(locked):
        locked.decision_reason = (reason or "").strip()
        if move.name == Move.VERIFY:  # a reinstated entry keeps the date of its verification
            locked.verified_at = timezone.now()

    entry = ENTRY_WORKFLOW.fire(entry, transition, user, reason=reason, on_fire=on_fire)
    if entry.revision_of_id and move.name == Move.VERIFY:
        apply_revision(entry, user)
    elif entry.is_published:
        aggregates.apply(entry, +1)
    elif State.VERIFIED in move.sources:
        aggregates.apply(entry, -1)
    notify_members(entry, transition, reason, sender=user)
    return entry
