"""The outbox keeps a message only as long as the register of personal data says: sent ones
180 days, failed ones a year after their last attempt; never one still to send, nor a
decision letter or a convention (the proof that a funding decision was notified)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from tpj.audit.models import AuditEvent
from tpj.outbox import retention, services
from tpj.outbox.models import OutgoingAttachment, OutgoingEmail
from tpj.outbox.tasks import purge_old_messages

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status
FILE = OutgoingAttachment._meta.get_field("file")


def _message(status, *, days_ago, purpose="tests.ping", attachment=()):
    message = services.enqueue(
        purpose,
        to="porteur@example.fr",
        subject="Objet",
        body="Texte",
        attachments=attachment or (),
    )
    when = timezone.now() - timedelta(days=days_ago)
    OutgoingEmail.objects.filter(pk=message.pk).update(
        status=status,
        created_at=when,
        last_attempt_at=when if status != Status.PENDING else None,
        sent_at=when if status == Status.SENT else None,
    )
    return message


def test_only_messages_past_their_retention_are_deleted(hook_calls, settings):
    settings.OUTBOX_SENT_RETENTION_DAYS, settings.OUTBOX_FAILED_RETENTION_DAYS = 180, 365
    old_sent = _message(Status.SENT, days_ago=181)
    recent_sent = _message(Status.SENT, days_ago=179)
    old_failed = _message(Status.FAILED, days_ago=366)
    failed_within_a_year = _message(Status.FAILED, days_ago=200)  # still shown to staff for « Renvoyer »
    long_pending = _message(Status.PENDING, days_ago=400)  # never sent: never purged

    assert retention.purge_expired(dry_run=True) == 2
    assert OutgoingEmail.objects.count() == 5  # a dry run deletes nothing

    purge_old_messages.call_local()

    remaining = set(OutgoingEmail.objects.values_list("pk", flat=True))
    assert remaining == {recent_sent.pk, failed_within_a_year.pk, long_pending.pk}
    assert old_sent.pk not in remaining and old_failed.pk not in remaining
    event = AuditEvent.objects.get(action="outbox.purge")
    assert event.after["courriels"] == 2


def test_decision_letters_and_conventions_are_kept_as_proof_of_notification(settings):
    settings.OUTBOX_SENT_RETENTION_DAYS = 180
    letter = _message(Status.SENT, days_ago=3000, purpose="calls.decision_letter")
    convention = _message(Status.SENT, days_ago=3000, purpose="calls.convention")
    receipt = _message(Status.SENT, days_ago=3000, purpose="calls.receipt")

    assert retention.purge_expired() == 1
    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == {letter.pk, convention.pk}
    assert not OutgoingEmail.objects.filter(pk=receipt.pk).exists()


def test_the_attachments_the_outbox_stored_go_with_their_message(hook_calls, settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_SENT_RETENTION_DAYS = 180
    owned = default_storage.save("calls/letters/lettre.pdf", ContentFile(b"%PDF-1.4 courrier emis"))
    message = _message(
        Status.SENT,
        days_ago=181,
        attachment=[("piece.pdf", b"%PDF-1.4 piece", "application/pdf"), ("lettre.pdf", FieldFile(None, FILE, owned), "")],
    )
    copy = OutgoingAttachment.objects.get(message=message, filename="piece.pdf").file.name
    assert copy.startswith("outbox/") and default_storage.exists(copy)

    with django_capture_on_commit_callbacks(execute=True):
        retention.purge_expired()

    assert not OutgoingAttachment.objects.exists()
    assert not default_storage.exists(copy)
    assert default_storage.exists(owned)  # another record's file, attached as it was: not the outbox's to delete


def test_nothing_to_purge_records_nothing(hook_calls):
    _message(Status.SENT, days_ago=1)
    assert retention.purge_expired() == 0
    assert not AuditEvent.objects.filter(action="outbox.purge").exists()
