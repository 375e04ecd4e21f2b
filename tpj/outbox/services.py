"""Writing e-mails to the outbox; sending them is the workers' (tpj.outbox.delivery).

    enqueue(...)   — in the caller's transaction: the message is a row, kept only if the
                     change that causes it commits; its sending is queued once that
                     transaction commits (`send_email`, tpj.outbox.tasks).
    retry(message) — puts a failed message back in line (« Renvoyer »).
    due(...)       — what `manage.py send_outbox` sends in the foreground.

`send`, `recover` and `describe` live in tpj.outbox.delivery and are re-exported here.
"""

import logging
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from tpj.audit import services as audit

from . import delivery, purposes
from .delivery import describe, recover, send
from .models import OutgoingAttachment, OutgoingEmail

logger = logging.getLogger(__name__)

__all__ = ["SUBJECT_PREFIX", "describe", "due", "enqueue", "recover", "retry", "schedule", "send"]

SUBJECT_PREFIX = "[1000 premiers jours] "


def enqueue(
    purpose: str,
    *,
    to,
    subject: str,
    body: str,
    html_body: str = "",
    attachments=(),
    obj=None,
    sender=None,
    from_email: str = "",
) -> OutgoingEmail:
    """Write one e-mail to the outbox, in the caller's transaction; queue its sending on commit.

    `purpose` is a key declared with `tpj.outbox.purposes.register`; `to` one address or a
    list; `attachments` (filename, content, mimetype) triples, the content either bytes
    (stored through the default storage) or a file already stored (a FieldFile, attached
    as it is, never copied: an issued decision letter); `obj` the object the message is
    about (its staff pages list its failures); `sender` the user whose action caused it,
    if any. Nothing is sent if the transaction rolls back, and nothing here records the
    message as sent: its purpose's `on_sent` hook does, once it is.
    """
    purposes.get(purpose)  # an undeclared purpose is a programming error, raised here
    recipients = [to] if isinstance(to, str) else list(to)
    with transaction.atomic():
        message = OutgoingEmail.objects.create(
            purpose=purpose,
            recipients=recipients,
            from_email=from_email,
            subject="".join(subject.splitlines())[:255],
            body=body,
            html_body=html_body,
            content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
            object_id=str(obj.pk) if obj is not None else "",
            sender=sender if getattr(sender, "is_authenticated", False) else None,
            next_attempt_at=timezone.now(),
            claimed_until=timezone.now() + delivery.lease(),  # queued: see OutgoingEmail.claimed_until
        )
        for filename, content, mimetype in attachments:
            attachment = OutgoingAttachment(message=message, filename=filename, mimetype=mimetype or "")
            if isinstance(content, FieldFile):
                attachment.file.name = content.name
                attachment.save()
            else:
                attachment.file.save(filename, ContentFile(content), save=True)
        schedule(message)
    return message


def schedule(message: OutgoingEmail) -> None:
    """Queue the sending of `message` once the current transaction commits (at once outside any)."""
    transaction.on_commit(partial(delivery.queue, message.pk), robust=True)


def retry(message: OutgoingEmail, *, actor=None) -> bool:
    """Put a failed message back in line and queue it after the commit (« Renvoyer »): one
    more attempt, now.

    Returns False when the message is not failed (sent meanwhile, or already back in line)."""
    now = timezone.now()
    updated = OutgoingEmail.objects.filter(pk=message.pk, status=OutgoingEmail.Status.FAILED).update(
        status=OutgoingEmail.Status.PENDING, next_attempt_at=now, claimed_until=now + delivery.lease()
    )
    if updated:
        message.status = OutgoingEmail.Status.PENDING
        audit.record(
            actor=actor,
            obj=message,
            action="outbox.retry",
            from_state=OutgoingEmail.Status.FAILED,
            to_state=OutgoingEmail.Status.PENDING,
            reason=message.last_error,
        )
        schedule(message)
        logger.info("Outbox: e-mail %s (%s) put back in line by %s", message.pk, message.purpose, getattr(actor, "pk", None))
    return bool(updated)


def due(*, retry_failed: bool = False):
    """Messages `manage.py send_outbox` sends at once: every pending one (whatever its
    backoff), those whose worker died while sending, and with `retry_failed` the failed ones."""
    rows = delivery.claimable(timezone.now(), early=True)
    if retry_failed:
        rows |= Q(status=OutgoingEmail.Status.FAILED)
    return OutgoingEmail.objects.filter(rows).order_by("created_at", "pk")
