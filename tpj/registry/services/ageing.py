"""The moderators' daily digest: entries waiting too long, suspensions awaiting confirmation.

`send_ageing_digests()` (scheduled) tells each territorial moderator, at most once a day,
how many entries of their scope have waited more than REGISTRY_MODERATION_AGEING_DAYS for a
decision, the oldest ones, and how many entries the yearly review proposes to suspend: a
notification "registry.ageing_digest", e-mailed or not as the moderator chose
(tpj.notifications). A moderator with neither gets nothing. The day's digest is recorded
with its notification (`tpj.core.reminders.claim`), so a second run the same day sends nothing.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tpj.accounts.models import Role, User
from tpj.core.models import SentReminder
from tpj.core.reminders import claim
from tpj.core.text import french_plural
from tpj.core.urls_absolute import absolute_reverse
from tpj.notifications.services import notify

from ..models import Entry, ReviewState, State
from ..notification_kinds import AGEING_DIGEST
from ..recipients import moderation_queue_url, review_queue_url

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


def _waiting_line(entry, now) -> str:
    """« - Crèche des Lutins (Rennes), soumise il y a 10 jours »"""
    days = (now - entry.submitted_at).days
    commune = f" ({entry.commune.name})" if entry.commune else ""
    return f"- {entry.name}{commune}, soumise il y a {days} jour{french_plural(days)}"


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
        oldest = [_waiting_line(entry, now) for entry in waiting.select_related("commune")[:OLDEST_SHOWN]]
        parts, paragraphs = [], []
        if count:
            parts.append(f"{count} fiche{french_plural(count)} en attente depuis plus de {ageing_days()} jours")
            shown = french_plural(len(oldest), "La plus ancienne", "Les plus anciennes")
            paragraphs.append(
                f"{count} fiche{french_plural(count)} de votre périmètre {french_plural(count, 'attend', 'attendent')} "
                f"une décision depuis plus de {ageing_days()} jours. {shown} :\n" + "\n".join(oldest)
            )
        if proposed:
            parts.append(f"{proposed} suspension{french_plural(proposed)} à confirmer")
            paragraphs.append(
                f"{proposed} fiche{french_plural(proposed)} de votre périmètre "
                f"{french_plural(proposed, 'est proposée', 'sont proposées')} à la suspension, faute de confirmation "
                f"de {french_plural(proposed, 'son', 'leur')} exactitude par {french_plural(proposed, 'ses', 'leurs')} "
                "membres lors de la revue annuelle. Confirmez la suspension ou maintenez la fiche publiée : "
                + absolute_reverse("registry:review-queue")
            )
        with transaction.atomic():
            if not claim(_digest_key(user, today)):
                continue
            notify(
                AGEING_DIGEST,
                [user],
                target=user,
                title=f"Modération : {' et '.join(parts)}",
                body="\n\n".join(paragraphs),
                # the page of what waits longest: the queue, or the review's proposals alone
                url=moderation_queue_url() if count else review_queue_url(),
                may_see="registry.moderation_queue",
            )
        sent += 1
    return sent
