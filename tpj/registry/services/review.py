"""The yearly accuracy review of published entries (« votre fiche est-elle toujours exacte ? »).

    request_confirmations() — scheduled: asks the members of each entry confirmed (or verified)
                              more than REGISTRY_REVIEW_INTERVAL_DAYS ago, each with a personal
                              link that confirms in one click;
    confirm(entry, user)    — a member answers: the entry is up to date for another year;
    propose_suspensions()   — scheduled: an entry left without answer REGISTRY_REVIEW_ANSWER_DAYS
                              after the request is proposed for suspension (it stays published);
    confirm_suspension()    — a moderator of its territory confirms: the entry is suspended
                              (hidden from the map), its members told why;
    keep()                  — or keeps it published.

Every step is a transition of `workflow.REVIEW_WORKFLOW`, recorded in the audit log (the
scheduled steps by « système »), which says who is told (the members, of a request and of
a proposed suspension). The request keeps its own e-mail, which carries each member's
personal confirmation link: its notification is in the platform only (`emailed_elsewhere`). A scheduled step takes each entry with a lock skipping
the rows another run holds, and fires only from the state it expects: two runs at once,
or one run twice, ask each member once.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from tpj.core.urls_absolute import absolute_reverse
from tpj.outbox import services as outbox

from ..emails import REVIEW_REQUEST
from ..models import Entry, ReviewState
from ..workflow import REVIEW_WORKFLOW, Move, ReviewMove
from .moderation import moderate

TOKEN_SALT = "tpj.registry.review"


def interval_days() -> int:
    return getattr(settings, "REGISTRY_REVIEW_INTERVAL_DAYS", 365)


def answer_days() -> int:
    return getattr(settings, "REGISTRY_REVIEW_ANSWER_DAYS", 30)


def entries_due(now=None):
    """Published entries with members whose last confirmation (or verification) is older than
    the review interval, and that are not being reviewed already."""
    now = now or timezone.now()
    with_members = Entry.members.through.objects.values("entry_id")
    return (
        Entry.objects.published()
        .filter(review_state__in=[ReviewState.CURRENT, ReviewState.LAPSED], pk__in=with_members)
        .annotate(last_confirmed=Coalesce("reviewed_at", "verified_at", "created_at"))
        .filter(last_confirmed__lte=now - datetime.timedelta(days=interval_days()))
        .order_by("last_confirmed", "pk")
    )


def _claim(pk, **conditions):
    """The entry `pk`, locked for this transaction, if it still meets `conditions` and no other
    run holds it; None otherwise."""
    return Entry.objects.select_for_update(skip_locked=True).filter(pk=pk, **conditions).first()


def request_confirmations(now=None, *, limit: int | None = None) -> int:
    """Ask the members of the entries due for review to confirm them; return how many entries.

    `limit` (REGISTRY_REVIEW_BATCH) spreads a large registry over several runs."""
    limit = limit or getattr(settings, "REGISTRY_REVIEW_BATCH", 1000)
    asked = 0
    for pk in list(entries_due(now).values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            entry = _claim(pk, review_state__in=[ReviewState.CURRENT, ReviewState.LAPSED])
            if entry is None:
                continue
            entry = REVIEW_WORKFLOW.fire(entry, ReviewMove.REQUEST, None)
            for member in entry.members.filter(is_active=True):
                _send_request(entry, member)
            asked += 1
    return asked


def confirmation_token(entry: Entry, member) -> str:
    """The signed token of `member`'s one-click confirmation of `entry` (this year's request)."""
    requested = int(entry.review_requested_at.timestamp()) if entry.review_requested_at else 0
    return signing.dumps({"e": entry.pk, "u": member.pk, "r": requested}, salt=TOKEN_SALT, compress=True)


def read_token(token: str):
    """(entry, member) named by a valid confirmation token, or None (forged, expired, unknown).

    A token is valid for the answer period and as long again (a late answer still counts)."""
    max_age = datetime.timedelta(days=2 * answer_days() + 30)
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    entry = Entry.objects.filter(pk=data.get("e")).first()
    member = entry.members.filter(pk=data.get("u"), is_active=True).first() if entry else None
    return (entry, member) if member else None


def _send_request(entry: Entry, member) -> None:
    context = {
        "entry": entry,
        "member": member,
        "answer_days": answer_days(),
        "deadline": timezone.localtime(entry.review_requested_at) + datetime.timedelta(days=answer_days()),
        "confirm_url": absolute_reverse("registry:review-confirm", args=[confirmation_token(entry, member)]),
        "edit_url": absolute_reverse("registry:edit", args=[entry.pk]),
        "url": absolute_reverse("registry:entry", args=[entry.pk]),
    }
    outbox.enqueue(
        REVIEW_REQUEST,
        to=member.email,
        subject=f"{outbox.SUBJECT_PREFIX}Votre fiche est-elle toujours exacte ? {entry.name}"[:200],
        body=render_to_string("registry/email/review_request.txt", context),
        obj=entry,
    )


def awaits_confirmation(entry: Entry) -> bool:
    """Whether the members' confirmation of `entry` is awaited (the states it may be confirmed from)."""
    return entry.review_state in REVIEW_WORKFLOW.get(ReviewMove.CONFIRM).sources


def confirm(entry: Entry, user) -> Entry:
    """A member confirms that `entry` is accurate (the e-mail's link, or the entry's page).

    Refused (TransitionRefused, a French message) when no confirmation is awaited."""
    return REVIEW_WORKFLOW.fire(entry, ReviewMove.CONFIRM, user)


def propose_suspensions(now=None) -> int:
    """Propose the suspension of the entries whose members have not answered in time; return how many.

    The entries stay published: only a moderator's confirmation suspends them."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=answer_days())
    late = Entry.objects.review_pending().filter(review_state=ReviewState.REQUESTED, review_requested_at__lte=cutoff)
    proposed = 0
    for pk in list(late.order_by("review_requested_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            entry = _claim(pk, review_state=ReviewState.REQUESTED, review_requested_at__lte=cutoff)
            if entry is None:
                continue
            REVIEW_WORKFLOW.fire(entry, ReviewMove.PROPOSE_SUSPENSION, None)
            proposed += 1
    return proposed


def proposed_suspensions(user):
    """The entries of `user`'s moderation scope proposed for suspension, oldest request first."""
    return (
        Entry.objects.moderated_by(user)
        .review_pending()
        .filter(review_state=ReviewState.SUSPENSION_PROPOSED)
        .select_related("commune", "category")
        .order_by("review_requested_at", "pk")
    )


def default_suspension_reason(entry: Entry) -> str:
    """The reason offered to the moderator (and sent to the members once confirmed)."""
    asked = f" le {timezone.localtime(entry.review_requested_at):%d/%m/%Y}" if entry.review_requested_at else ""
    return (
        f"Aucun membre de la fiche n'a confirmé son exactitude, demandée{asked} lors de la revue annuelle, "
        f"dans le délai de {answer_days()} jours."
    )


def confirm_suspension(entry: Entry, user, reason: str = "") -> Entry:
    """A moderator confirms the proposed suspension: the entry is suspended (off the map) and its
    members are told why. Both transitions are recorded with the moderator and the reason."""
    reason = (reason or "").strip() or default_suspension_reason(entry)
    with transaction.atomic():
        REVIEW_WORKFLOW.fire(entry, ReviewMove.CONFIRM_SUSPENSION, user, reason=reason)
        return moderate(entry, Move.SUSPEND, user, reason)


def keep(entry: Entry, user, reason: str = "") -> Entry:
    """A moderator keeps the entry published despite the missing answer (its review restarts)."""
    return REVIEW_WORKFLOW.fire(entry, ReviewMove.KEEP, user, reason=reason)
