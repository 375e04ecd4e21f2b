"""Registry imports run by the workers (`importer.jobs`: claim, chunks, lease, recovery)."""

from django.core.files import File
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tpj.registry import importer


@db_task()
def run_import(job_id: int) -> None:
    """Run import job `job_id` to its end; nothing when it is finished or held by a live
    worker (a task queued twice runs the job once)."""
    importer.work(job_id)


@db_periodic_task(crontab(minute="*"))
def recover_imports() -> None:
    """Every minute: queue again the jobs whose worker was killed, or that were never queued."""
    importer.recover()


def bench_start(path: str, source: str) -> int:
    """Create a job for the file at `path` (no author: not limited) and queue it (the queue
    benchmark, `tpj.core.bench_queue`). Returns the job's id."""
    with open(path, "rb") as handle:
        job = importer.create_job(source, File(handle, name=path.rsplit("/", 1)[-1]), None)
    importer.queue_job(job)
    return job.pk
