"""Helpers of the recipients' tests: who was told of what, and who got which e-mails."""

from collections import Counter

import pytest

from tpj.notifications.models import Notification
from tpj.outbox.models import OutgoingEmail


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Call documents, attachments and imported files go to a temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.MEDIA_ROOT = str(tmp_path)


def told(kind) -> dict:
    """{recipient: their notification} of `kind`; fails if anyone was told twice."""
    rows = list(Notification.objects.filter(kind=kind).select_related("recipient"))
    recipients = Counter(row.recipient for row in rows)
    assert all(count == 1 for count in recipients.values()), f"told twice: {recipients}"
    return {row.recipient: row for row in rows}


def emails_by_address(since: int = 0) -> Counter:
    """How many e-mails each address was written since the outbox row `since` (a pk)."""
    counts = Counter()
    for recipients in OutgoingEmail.objects.filter(pk__gt=since).values_list("recipients", flat=True):
        counts.update(recipients)
    return counts


def last_email_pk() -> int:
    last = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def nothing_written() -> bool:
    return not Notification.objects.exists() and not OutgoingEmail.objects.exists()
