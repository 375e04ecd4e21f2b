"""Reminders sent by the scheduled jobs, each once (see `SentReminder`).

    with transaction.atomic():
        if claim(key):
            outbox.enqueue(...)

The claim and the e-mail are written in the same transaction: either both are kept or
neither, so a reminder is never recorded without its e-mail nor sent twice. Two jobs that
race for the same key: the second insert waits for the first transaction, then fails on
the unique key, and `claim` answers False.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SentReminder


def claim(key: str) -> bool:
    """Record the reminder `key` in the caller's transaction; False when it was already sent."""
    try:
        with transaction.atomic():
            SentReminder.objects.create(key=key[:200])
    except IntegrityError:
        return False
    return True


def days_until(day: datetime.date, today: datetime.date | None = None) -> int:
    """Whole days from `today` (the local date, Paris) to `day`: 1 the day before."""
    return (day - (today or timezone.localdate())).days
