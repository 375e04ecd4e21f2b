"""The registry's scheduled jobs (docs/operations.md, "Scheduled jobs"): the yearly accuracy
review and the moderators' daily digest. Each is a service that acts once per entry or per
moderator and day (services/review.py, services/ageing.py); the lock keeps the schedulers
of two workers from running the same job at once.
"""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from ..services import ageing, review

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="20", hour="6-18"))
@lock_task("registry-review")
def review_entries():
    """Ask the members of entries due for their yearly review; propose the suspension of those
    left without answer. Hourly in the working day (UTC), REGISTRY_REVIEW_BATCH entries a run."""
    asked = review.request_confirmations()
    proposed = review.propose_suspensions()
    logger.info("Yearly review: %s entrie(s) asked, %s suspension(s) proposed", asked, proposed)


@db_periodic_task(crontab(minute="35", hour="6-18"))
@lock_task("registry-moderation-ageing")
def moderation_ageing_digest():
    """One digest a day per moderator with entries waiting too long or suspensions to confirm."""
    sent = ageing.send_ageing_digests()
    logger.info("Moderation ageing: %s digest(s)", sent)
