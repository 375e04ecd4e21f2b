"""The training module's periodic work: the steering's coverage snapshots, kept warm."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .services import coverage_snapshots


@db_periodic_task(crontab(minute=f"*/{coverage_snapshots.REFRESH_MINUTES}"))
@lock_task("training-coverage-refresh")
def refresh_coverage() -> None:
    """Every ten minutes: the coverage of the country and of each région, for each horizon,
    computed again (the steering page then reads it; a change since makes it compute anew)."""
    coverage_snapshots.refresh_snapshots()
