"""Module 3's scheduled job (docs/operations.md, "Scheduled jobs"): the national dashboard's
registry coverage snapshot, refreshed every coverage.REFRESH_MINUTES minutes."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import coverage

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute=f"*/{coverage.REFRESH_MINUTES}"))
@lock_task("valorisation-coverage")
def refresh_coverage():
    """Recount the registry's coverage per département for the national dashboard."""
    rows = coverage.refresh()
    logger.info("Dashboard coverage: %s département(s) refreshed", rows)
