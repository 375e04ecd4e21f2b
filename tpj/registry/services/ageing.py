"""The moderators' daily digest: entries waiting too long, suspensions awaiting confirmation.

`send_ageing_digests()` (scheduled) writes to each territorial moderator, at most once a
day, how many entries of their scope have waited more than REGISTRY_MODERATION_AGEING_DAYS
for a decision, the oldest ones, and how many entries the yearly review proposes to
suspend. A moderator with neither gets nothing. The day's digest is recorded with its
e-mail (`tpj.core.reminders.claim`), so a second run the same day sends nothing.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tpj.accounts.models import Role, User
from tpj.core.models import SentReminder
from tpj.core.reminders import claim
from tpj.core.text import french_plural
from tpj.core.urls_absolute import absolute_reverse
from tpj.outbox import services as outbox

from ..emails import MODERATION_AGEING
from ..models import Entry, ReviewState, State

OLDEST_SHOWN = 5


def ageing_days() -> int:
    return getattr(settings, "REGISTRY_MODERATION_AGEING_DAYS", 7)


def moderators():
    """Active users with an active territorial moderator role."""
    return User.objects.filter(is_active=True, role_assignments__role=Role.MODERATOR, role_assignments__is_active=True).distinct()


def waiting_too_long(user, now=None):
    """Entries of `user`'s scope submitted more than the ageing threshold ago, oldest first."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=ageing_days())
    return (
        Entry.objects.moderated_by(user)
        .filter(state=State.SUBMITTED, submitted_at__lte=cutoff)
        .exclude(members=user)  # a moderator never decides on an entry they are a member of
        .order_by("submitted_at", "pk")
    )


def _digest_key(user, today) -> str:
    return f"registry.ageing:{user.pk}:{today.isoformat()}"


def send_ageing_digests(now=None) -> int:
    """Send today's digest to each moderator who has entries waiting too long; return how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # The job runs hourly: the moderators already written to today are skipped in one query,
    # without counting their entries again (`claim` below stays what guarantees one digest).
    users = list(moderators().order_by("pk"))
    sent_today = set(
        SentReminder.objects.filter(key__in=[_digest_key(user, today) for user in users]).values_list("key", flat=True)
    )
    sent = 0
    for user in users:
        if _digest_key(user, today) in sent_today:
            continue
        waiting = waiting_too_long(user, now)
        count = waiting.count()
        proposed = Entry.objects.moderated_by(user).filter(review_state=ReviewState.SUSPENSION_PROPOSED).count()
        if not count and not proposed:
            continue
        oldest = [
            {"entry": entry, "days": (now - entry.submitted_at).days}
            for entry in waiting.select_related("commune")[:OLDEST_SHOWN]
        ]
        context = {
            "user": user,
            "count": count,
            "proposed": proposed,
            "oldest": oldest,
            "threshold": ageing_days(),
            "queue_url": absolute_reverse("registry:moderation"),
            "review_url": absolute_reverse("registry:review-queue"),
        }
        parts = []
        if count:
            parts.append(f"{count} fiche{french_plural(count)} en attente depuis plus de {ageing_days()} jours")
        if proposed:
            parts.append(f"{proposed} suspension{french_plural(proposed)} à confirmer")
        with transaction.atomic():
            if not claim(_digest_key(user, today)):
                continue
            outbox.enqueue(
                MODERATION_AGEING,
                to=user.email,
                subject=f"{outbox.SUBJECT_PREFIX}Modération : {' et '.join(parts)}",
                body=render_to_string("registry/email/moderation_digest.txt", context),
            )
        sent += 1
    return sent
