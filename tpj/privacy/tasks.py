"""The retention purge, nightly (docs/operations.md, "Scheduled jobs"): the same service as
`manage.py purge_drafts` (tpj.privacy.services.purge_drafts), recorded in the audit log."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .services import purge_drafts

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="30", hour="1"))
@lock_task("privacy-purge-drafts")
def purge_abandoned_drafts():
    """Delete the drafts and refused submissions untouched for DRAFT_RETENTION_DAYS (01:30 UTC)."""
    counts = purge_drafts()
    logger.info("Retention purge: %s", ", ".join(f"{label} {n}" for label, n in counts.items()))
