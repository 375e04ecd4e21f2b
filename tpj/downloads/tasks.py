"""The workers' side of prepared downloads: each task names a job row; the row is the record."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from . import services


@db_task()
def build_export(job_id: int) -> None:
    """Build export job `job_id` (nothing when another worker has it, or it is done)."""
    services.build(job_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("downloads-recover")
def recover_exports() -> None:
    """Every minute: queue again the jobs the queue lost and the builds of a killed worker."""
    services.recover_stalled()


@db_periodic_task(crontab(minute="23"))
@lock_task("downloads-purge")
def purge_expired_exports() -> None:
    """Every hour: delete the prepared files past their date."""
    services.purge_expired()


@db_periodic_task(crontab(minute="*/15"))
@lock_task("downloads-public")
def refresh_public_exports() -> None:
    """Every quarter of an hour: a new open-data file wherever its data changed."""
    services.refresh_public_exports()
