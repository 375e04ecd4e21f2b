"""Telling people what happened: one notification row per recipient, in the event's transaction.

    notify(kind, users, target=obj, title=…, url=…, may_see="calls.view_application", actor=user)

A recipient who may not see `target` (the policy action `may_see`), who is inactive, or who
caused the event is left out. Each row records the recipient's delivery for its kind:
"immediate" writes an e-mail to the outbox in the same transaction (sent by a worker once it
commits, never on a rollback); "daily" waits for the digest job; "platform" stays in the bell.

A row names the e-mail that carries it (`email`: its own, or the digest that lists it) from
the moment that e-mail is written; `emailed_at` is set only once it has been sent, by the
outbox purposes' `on_sent` hook (tpj.notifications.emails).
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from tpj.core import policy
from tpj.core.text import french_plural
from tpj.core.urls_absolute import absolute_reverse, absolute_url
from tpj.outbox import services as outbox

from . import kinds
from .emails import DAILY_DIGEST, IMMEDIATE
from .kinds import Delivery
from .models import Notification, NotificationPreference


def deliveries(users, kind: str) -> dict[int, str]:
    """{user id: delivery} of `users` for `kind`: their preference, else the kind's default."""
    default = kinds.get(kind).default
    chosen = dict(
        NotificationPreference.objects.filter(user__in=[u.pk for u in users], kind=kind).values_list("user_id", "delivery")
    )
    return {user.pk: chosen.get(user.pk, default) for user in users}


def notify(
    kind: str,
    users: Iterable,
    *,
    target,
    title: str,
    url: str,
    may_see: str,
    body: str = "",
    actor=None,
    emailed_elsewhere: bool = False,
) -> list[Notification]:
    """Notify `users` of an event about `target` (see the module docstring); returns the rows."""
    kinds.get(kind)  # an undeclared kind is a programming error, raised here
    actor_pk = getattr(actor, "pk", None)
    recipients = {}
    for user in users:
        if user.is_active and user.pk != actor_pk and user.pk not in recipients and policy.check(user, may_see, target):
            recipients[user.pk] = user
    if not recipients:
        return []
    chosen = deliveries(recipients.values(), kind)
    content_type = ContentType.objects.get_for_model(target)
    title = "".join(title.splitlines())[:255]
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            title=title,
            body=body,
            url=url,
            actor=actor if actor_pk else None,
            content_type=content_type,
            object_id=str(target.pk),
            delivery=chosen[user.pk],
        )
        for user in recipients.values()
    ]
    with transaction.atomic():
        for row in rows:
            if row.delivery == Delivery.IMMEDIATE and not emailed_elsewhere:
                row.email = _email(row, target)
        Notification.objects.bulk_create(rows)
    return rows


def _email(notification: Notification, target):
    context = {"notification": notification, "link": absolute_url(notification.url)}
    return outbox.enqueue(
        IMMEDIATE,
        to=notification.recipient.email,
        subject=f"{outbox.SUBJECT_PREFIX}{notification.title}",
        body=render_to_string("notifications/email/immediate.txt", context),
        obj=target,
        sender=notification.actor,
    )


def notify_transition(workflow, transition, obj, firing):
    """Tell the recipients the transition declares (`Transition.notifies`) that it was fired.

    Called by `Workflow.fire` once the new state is saved and recorded, in its transaction."""
    kind = f"{workflow.name}.{transition.name}"
    # Said as done, not in the imperative of the button that fired it.
    title = f"Action « {transition.label} » effectuée : {obj}"
    for recipients in transition.notifies or ():
        notify(
            kind,
            recipients.resolve(obj),
            target=obj,
            title=title,
            body=firing.reason,
            url=recipients.url(obj),
            may_see=recipients.may_see,
            actor=firing.user,
            emailed_elsewhere=recipients.emailed_elsewhere,
        )


def unread_count(user) -> int:
    """The bell's figure: one count on the partial index of unread rows."""
    return Notification.objects.for_user(user).unread().count()


# --- the person's side: reading, preferences --------------------------------------------------


def open_notification(user, pk) -> Notification | None:
    """Mark `user`'s notification `pk` read (if it is not yet) and return it; None when
    `user` has no such notification (another person's is never found)."""
    notification = Notification.objects.for_user(user).filter(pk=pk).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        # Conditional: a second tab opening it at once keeps the first reading time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notification of `user` read; return how many were."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def safe_path(url: str) -> str | None:
    """`url` when it is a path of this site ("/annuaire/…"), else None: a notification
    only ever leads to a page of the platform (never "//elsewhere" nor "https://…")."""
    if not url or not url.startswith("/") or url.startswith("//") or any(c in url for c in "\r\n\t\\"):
        return None
    return url


def preferences(user) -> dict[str, str]:
    """{kind key: delivery} of every declared kind for `user`: their choice, else the default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind.key: chosen.get(kind.key, kind.default) for kind in kinds.all_kinds()}


def save_preferences(user, chosen: dict[str, str]) -> None:
    """Record `user`'s delivery for each kind of `chosen` ({kind key: delivery}), all or nothing.

    A choice equal to the kind's default removes the row (absent means the default, which
    then follows the platform's default should it change); another is upserted in one
    statement, so that two tabs saving at once never collide on the unique (user, kind)."""
    for key, delivery in chosen.items():
        kinds.get(key)  # the caller (the form) refuses unknown keys; here it is a programming error
        Delivery(delivery)
    defaults = {key for key, delivery in chosen.items() if delivery == kinds.get(key).default}
    rows = [
        NotificationPreference(user=user, kind=key, delivery=delivery) for key, delivery in chosen.items() if key not in defaults
    ]
    with transaction.atomic():
        if defaults:
            NotificationPreference.objects.filter(user=user, kind__in=defaults).delete()
        if rows:
            NotificationPreference.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["user", "kind"], update_fields=["delivery"]
            )


# --- the daily digest -----------------------------------------------------------------------


class _Taken(Exception):
    """Another run of the digest job claimed some of the rows first: write nothing."""


def send_daily_digests() -> int:
    """Write one digest e-mail to the outbox for each active person with notifications
    awaiting it (`Notification.objects.awaiting_digest()`); return how many were written.

    Each digest is written in its own transaction, with the claim of the rows it lists:
    a run that stops half-way loses nothing, and a second run (even at the same time)
    finds the rows taken and writes nothing twice."""
    user_ids = list(
        Notification.objects.awaiting_digest()
        .filter(Q(recipient__is_active=True) & ~Q(recipient__email=""))
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    return sum(write_digest(user_id) for user_id in user_ids)


def write_digest(user_id: int) -> bool:
    """Write the daily digest of person `user_id` to the outbox, claiming the rows it lists;
    False when there is nothing (left) to send them."""
    try:
        with transaction.atomic():
            rows = list(
                Notification.objects.awaiting_digest()
                .filter(recipient_id=user_id)
                .select_related("recipient")
                .select_for_update(of=("self",))  # PostgreSQL: a concurrent run waits, then finds them taken
                .order_by("created_at", "pk")
            )
            if not rows:
                return False
            user = rows[0].recipient
            count = len(rows)
            context = {
                "user": user,
                "items": [(row, absolute_url(row.url)) for row in rows],
                "count": count,
                "preferences_link": absolute_reverse("notifications:preferences"),
            }
            message = outbox.enqueue(
                DAILY_DIGEST,
                to=user.email,
                subject=f"{outbox.SUBJECT_PREFIX}Votre récapitulatif du jour : {count} "
                f"{french_plural(count, 'notification', 'notifications')}",
                body=render_to_string("notifications/email/daily_digest.txt", context),
                obj=user,
            )
            # The claim: only rows no other digest took meanwhile (SQLite takes no row lock).
            claimed = Notification.objects.filter(pk__in=[row.pk for row in rows], email__isnull=True).update(email=message)
            if claimed != count:
                raise _Taken
    except _Taken:
        return False
    return True
