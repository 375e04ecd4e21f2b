"""The platform's own background jobs (docs/operations.md, "Scheduled jobs")."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from . import maintenance


@db_task(retries=2, retry_delay=300)
@lock_task("core-maintain-database")
def maintain_database(models=None):
    """Refresh the planner's statistics (and vacuum the big tables on PostgreSQL).

    Queued after a bulk load (`enqueue(maintain_database)`, or with the labels of the models
    loaded: `enqueue(maintain_database, ["registry.Entry"])`); idempotent, so a copy queued
    twice only does the work again. One at a time (the lock): a copy arriving while one runs
    is retried five minutes later."""
    maintenance.maintain_database(models)


@db_periodic_task(crontab(minute="0", hour="2"))
@lock_task("core-maintain-database")
def nightly_database_maintenance():
    """Every night at 02:00 UTC, after the retention purge (01:30)."""
    maintenance.maintain_database()
