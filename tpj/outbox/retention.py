"""How long the outbox keeps its messages (register of personal data, « outbox »).

A sent message is kept OUTBOX_SENT_RETENTION_DAYS after it was sent: long enough to answer
« did you send it? ». A failed one, shown to staff for « Renvoyer », is kept
OUTBOX_FAILED_RETENTION_DAYS after its last attempt. Messages still to be sent are never
purged, nor those of an evidence purpose (a decision letter, a convention: the proof that a
funding decision was notified, kept as long as the decision)."""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tpj.audit import services as audit

from . import purposes
from .models import OutgoingAttachment, OutgoingEmail

logger = logging.getLogger(__name__)

OWN_FILES = "outbox/"  # tpj.outbox.models.attachment_path


def expired(now=None):
    """The messages past their retention (a QuerySet)."""
    now = now or timezone.now()
    sent_before = now - datetime.timedelta(days=settings.OUTBOX_SENT_RETENTION_DAYS)
    failed_before = now - datetime.timedelta(days=settings.OUTBOX_FAILED_RETENTION_DAYS)
    evidence = [purpose.key for purpose in purposes.all_purposes() if purpose.evidence]
    return OutgoingEmail.objects.filter(
        Q(status=OutgoingEmail.Status.SENT, sent_at__lt=sent_before)
        | Q(status=OutgoingEmail.Status.FAILED, last_attempt_at__lt=failed_before)
    ).exclude(purpose__in=evidence)


def purge_expired(now=None, *, dry_run: bool = False) -> int:
    """Delete the messages past their retention and their attachments' files; record the
    purge in the audit log. Returns how many messages were (or, with `dry_run`, would be)
    deleted. Rows go in one transaction; the files once it has committed, so that a rollback
    never leaves a row whose file is gone."""
    with transaction.atomic():
        ids = list(expired(now).values_list("pk", flat=True))
        if dry_run or not ids:
            return len(ids)
        # Only the copies the outbox stored itself: an attachment may be a file owned by
        # another record (an issued decision letter), attached as it is and never ours to delete.
        files = list(
            OutgoingAttachment.objects.filter(message_id__in=ids, file__startswith=OWN_FILES).values_list("file", flat=True)
        )
        OutgoingEmail.objects.filter(pk__in=ids).delete()
        audit.record(actor=None, action="outbox.purge", after={"courriels": len(ids), "pieces_jointes": len(files)})
        transaction.on_commit(partial(_delete_files, files))
    logger.info("Outbox retention: %s message(s) and %s attachment(s) deleted", len(ids), len(files))
    return len(ids)


def _delete_files(names: list[str]) -> None:
    storage = OutgoingAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # already gone, or the storage is unreachable: the next audit shows it
            logger.warning("Outbox retention: attachment %s could not be deleted", name, exc_info=True)
