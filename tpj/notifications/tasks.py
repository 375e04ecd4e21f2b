"""The notifications' scheduled job: the daily digest (docs/operations.md, "Scheduled jobs").

The digest goes out at 07:00, Paris time, whatever the season: the queue's clock is UTC
(HUEY["utc"]), so the schedule is a test on the Paris hour rather than a UTC crontab. Each
digest claims the rows it lists (`services.write_digest`): a second run, or a copy on
another worker, writes nothing twice; a run missed (no worker at 07:00) leaves the rows
waiting for the next morning's digest, none lost.
"""

import datetime
import logging
from zoneinfo import ZoneInfo

from huey.contrib.djhuey import db_periodic_task, lock_task

from . import services

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
DIGEST_HOUR = 7


def at_seven_in_paris(timestamp: datetime.datetime) -> bool:
    """huey's schedule test: True on the minute 07:00 in Paris (`timestamp` is naive UTC)."""
    local = timestamp.replace(tzinfo=datetime.UTC).astimezone(PARIS)
    return local.hour == DIGEST_HOUR and local.minute == 0


@db_periodic_task(at_seven_in_paris)
@lock_task("notifications-daily-digest")
def send_daily_digests():
    """Each morning, one e-mail per person who chose the daily digest, listing what they were told."""
    written = services.send_daily_digests()
    logger.info("Notifications: %s daily digest(s) written to the outbox", written)
