"""Import jobs: created by the page or the command line, run chunk by chunk by a worker.

- `create_job` checks the columns (a French error refuses the file before anything is
  saved) and saves the job; `queue_job` hands it to the workers (`tasks.imports`).
- `work(job_id)` is what a worker does: it claims the job (a conditional UPDATE: a job
  queued twice runs once, two workers never run it together), then writes it chunk by
  chunk from `next_row`. Each chunk's entries, the job's counters and `next_row` commit in
  one transaction, which first re-checks the claim and renews its lease: a killed worker
  leaves whole chunks only, and the next claim resumes at the first row not written.
- `recover()` (every minute) queues again the jobs whose worker is gone (lease expired)
  or that were never queued (queue unreachable), and fails those that stopped
  `MAX_ATTEMPTS` times without writing a row.
- Re-running a file skips the rows whose external identifier (per source) is already
  known: idempotent.
"""

import gc
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tpj.audit.services import record
from tpj.core import csv_reader, leases, locks
from tpj.core.leases import LeaseLost
from tpj.core.queue import enqueue, enqueue_on_commit
from tpj.core.tasks import maintain_database
from tpj.core.text import clean, french_plural
from tpj.notifications.services import notify

from .. import bulk
from ..models import ContactChannel, Entry, EntryPriority, EntrySituation, ImportJob
from ..notification_kinds import IMPORT_FINISHED
from ..permissions import import_territory
from ..public_version import bump_registry
from ..recipients import import_author, import_job_url
from . import chunks
from .rows import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, PreparedRow, ReferenceData, normalise_header

logger = logging.getLogger(__name__)

CHUNK_SIZE = 20_000  # chunks.FIRST_CHUNK_SIZE, then doubling up to this: bigger transactions rewrite each index page fewer times
COMMAND_CHUNK_SIZE = CHUNK_SIZE
MAX_ERRORS_KEPT = 5000
# A lease covers one chunk (a second or two at 10,000 rows/s) many times over; a worker
# that holds a job longer without writing a chunk is taken for dead.
LEASE = timedelta(seconds=getattr(settings, "IMPORT_LEASE_SECONDS", 60))
MAX_ATTEMPTS = 5  # claims in a row without a chunk written, before the job is failed
RECOVERY_GRACE = timedelta(minutes=1)  # a job just created is being queued: not re-queued yet
UNFINISHED = (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)


class JobBusy(Exception):
    """The job is held by a worker whose lease runs (the message is French)."""

    message = "Cet import est en cours dans un autre processus ; il reprendra ici si celui-ci s'arrête."


def inspect_file(handle) -> tuple[str, int]:
    """Check the columns; return (encoding, number of data rows). Raises a French ValidationError."""
    encoding = csv_reader.detect_encoding(handle)
    reader, text = csv_reader.dict_reader(handle, encoding)
    header = [normalise_header(h) for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        text.detach()
        raise ValidationError(
            f"Colonne(s) manquante(s) : {', '.join(missing)}. Colonnes attendues : {', '.join(REQUIRED_COLUMNS)} "
            f"(facultatives : {', '.join(OPTIONAL_COLUMNS)})."
        )
    rows = sum(1 for row in reader.reader if row)  # the rows the DictReader gives, without building them: half the time
    text.detach()
    handle.seek(0)
    return encoding, rows


@transaction.atomic
def create_job(source: str, upload, user, chunk_size: int = CHUNK_SIZE) -> ImportJob:
    """Check the file's columns and save a waiting job for it (not queued: see `queue_job`)."""
    source = clean(source, multiline=False).strip()
    encoding, rows = inspect_file(upload.file if hasattr(upload, "file") else upload)
    job = ImportJob(
        source=source,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        total_rows=rows,
        encoding=encoding,
        chunk_size=max(1, chunk_size),
    )
    job.message = "Fichier lu en Latin-1 (Windows-1252)." if encoding == csv_reader.LATIN1 else "Fichier lu en UTF-8."
    upload.seek(0)
    job.file.save(getattr(upload, "name", "import.csv"), upload, save=False)
    job.save()
    record(actor=user, obj=job, action="registry.import_created", reason=f"{source} — {rows} lignes")
    return job


def _task():
    from ..tasks.imports import run_import  # the tasks module imports this one

    return run_import


def queue_job(job: ImportJob) -> None:
    """Hand a saved job to the workers. Raises QueueUnavailable (French message) when the
    queue cannot be reached: the job stays saved, and `recover` queues it later.

    Called outside any transaction (the worker must find the job's row); inside one, the
    job is queued once it commits, and an unreachable queue is only logged."""
    if transaction.get_connection().in_atomic_block and not HUEY.immediate:
        enqueue_on_commit(_task(), job.pk)
        return
    enqueue(_task(), job.pk)


def claim(job_id: int, now=None) -> uuid.UUID | None:
    """Take job `job_id` for this worker: a waiting job, or one whose worker's lease expired.
    Returns the claim's token, or None when the job is finished or held by a live worker."""
    now = now or timezone.now()
    claimable = leases.claimable(now, waiting=Q(status=ImportJob.Status.PENDING), working=Q(status=ImportJob.Status.RUNNING))
    return leases.claim(
        ImportJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS),
        lease=LEASE,
        now=now,
        token=uuid.uuid4(),
        status=ImportJob.Status.RUNNING,
    )


def work(job_id: int) -> ImportJob | None:
    """What a worker does with "import job N": claim it, then run it to the end. Returns the
    job, or None when there was nothing to do (finished, or run by another worker)."""
    token = claim(job_id)
    if token is None:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        return run_claimed(job, token)
    except LeaseLost:
        logger.warning("Import %s: taken over by another worker (lease expired)", job_id)
        return None


def run_claimed(job: ImportJob, token: uuid.UUID, progress=None, prepare_ahead: bool = True) -> ImportJob:
    """Run a job this process claimed to its end. On an error, the claim is given back (the
    recovery tries again, up to MAX_ATTEMPTS times without progress) and the error raised."""
    # No garbage collection meanwhile: the chunks are millions of fresh tuples without
    # reference cycles, and the collector's passes over them cost 9 % of an import.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return run(job, token, progress=progress, prepare_ahead=prepare_ahead)
    except LeaseLost:
        raise
    except Exception:
        logger.exception("Import %s stopped on an error; the recovery will try again", job.pk)
        _release(job, token)
        raise
    finally:
        if collecting:
            gc.enable()


def is_free(job: ImportJob, now=None) -> bool:
    """Whether an unfinished job is held by no live worker (never claimed, released, or its
    worker's lease expired)."""
    return not job.is_finished and leases.is_free(job, now)


def run(job: ImportJob, token: uuid.UUID, max_chunks: int | None = None, progress=None, prepare_ahead: bool = True) -> ImportJob:
    """Write the claimed `job` from `next_row`, chunk by chunk; `progress(job)` after each.

    Each chunk is first checked and turned into table rows without touching the database
    (`rows.prepare_chunk`), then written in one transaction (`_write_chunk`). With
    `prepare_ahead`, the chunks after the first few are checked in a second process while
    this one writes (`chunks.prepared`): measured faster than one process, in a worker as
    on the command line. The author's territory applies, whoever runs the job. Stopping
    after `max_chunks` releases the claim (the job stays unfinished, and is queued again
    by `recover`)."""
    ref = ReferenceData(import_territory(job.created_by))
    # A first run for a source no entry comes from yet can only meet identifiers it
    # created itself: they are remembered here instead of looked up (0.8 s per 100,000
    # rows on PostgreSQL). A resumed run, or a known source, asks the database; so does
    # this run from the chunk where another job of the same source is found at work.
    started_at = timezone.now()
    created_here = set() if job.next_row == 0 and not bulk.source_has_entries(job.source) else None
    prepared = chunks.prepared(job, ref, work_ahead=prepare_ahead)
    try:
        for written, chunk in enumerate(prepared, start=1):
            created_here = _write_chunk(job, chunk, token, created_here, started_at)
            if progress:
                progress(job)
            if max_chunks is not None and written >= max_chunks and job.next_row < job.total_rows:
                _release(job, token)
                return job
    finally:
        prepared.close()  # stops the file reading, or the process working ahead
    _finish(job, token)
    return job


@transaction.atomic
def _write_chunk(
    job: ImportJob, prepared: list[PreparedRow], token, created_here: set[str] | None = None, started_at=None
) -> set[str] | None:
    """Insert one checked chunk, move `next_row` and renew the lease, in one transaction;
    return `created_here`, or None once it can no longer be trusted.

    The job's row is updated first, on condition that this worker still holds the claim
    and that no chunk was written since it read `next_row`: the row stays locked until
    the commit, and a worker that lost its claim writes nothing (LeaseLost).

    Chunks of one source are written one at a time (a lock on the source's name), so that two jobs
    of the same source (a double click, the same file sent twice) never insert the same
    identifier. Rows whose identifier is already known for this source (an earlier run,
    another job, or earlier in the file) are skipped, whether valid or not: a re-run
    changes nothing. When `created_here` is given, it holds every identifier the source
    has (see `run`) and receives the chunk's new ones — until another job of the source
    is found at work since `started_at`: then the database is asked.
    """
    next_row = prepared[-1].line - 1
    held = ImportJob.objects.filter(pk=job.pk, claim_token=token, next_row=job.next_row)
    if not leases.renew(held, lease=LEASE, next_row=next_row, attempts=0):
        raise LeaseLost(job.pk)
    locks.hold_until_commit(f"registry.import:{job.source}")
    if created_here is not None and _another_job_at_work(job, started_at):
        created_here = None
    if created_here is None:
        known = bulk.known_external_ids(job.source, [item.external_id for item in prepared if item.external_id])
    else:
        known = created_here
    valid, errors, skipped = [], [], 0
    for item in prepared:
        if not item.external_id:
            errors.append({"ligne": item.line, "erreurs": ["identifiant vide : chaque ligne doit avoir un identifiant stable"]})
        elif item.outside:  # refused, not "already present": an author learns nothing of another territory
            errors.append({"ligne": item.line, "identifiant": item.external_id, "erreurs": item.errors})
        elif item.external_id in known:
            skipped += 1
        elif item.errors:
            errors.append({"ligne": item.line, "identifiant": item.external_id, "erreurs": item.errors})
        else:
            valid.append(item)
            known.add(item.external_id)
    entries, priorities, situations, contacts = [], [], [], []
    for pk, item in zip(bulk.reserve_ids(Entry, len(valid)), valid, strict=True):
        entries.append((pk, item.entry))
        priorities += [(pk, priority) for priority in item.priorities]
        situations.append((pk, item.situation))
        contacts += [(pk, contact) for contact in item.contacts]
    bulk.insert_identified(Entry._meta.db_table, bulk.ENTRY_COLUMNS, entries)
    bulk.insert_identified(EntryPriority._meta.db_table, bulk.PRIORITY_COLUMNS, priorities)
    bulk.insert_identified(EntrySituation._meta.db_table, bulk.SITUATION_COLUMNS, situations)
    bulk.insert_identified(ContactChannel._meta.db_table, bulk.CONTACT_COLUMNS, contacts)
    bump_registry()  # imported rows bypass the signals: the public cache's version, at this chunk's commit
    first_line = prepared[0].line
    job.next_row = next_row
    job.created_count += len(entries)
    job.updated_count += skipped
    job.error_count += len(errors)
    if errors and len(job.errors) < MAX_ERRORS_KEPT:
        job.errors = (job.errors + errors)[:MAX_ERRORS_KEPT]
    job.save(update_fields=["created_count", "updated_count", "error_count", "errors"])
    created = f"{len(entries)} {french_plural(len(entries), 'fiche créée', 'fiches créées')}"
    refused = f"{len(errors)} {french_plural(len(errors), 'ligne refusée', 'lignes refusées')}"
    record(
        actor=job.created_by,
        obj=job,
        action="registry.import_chunk",
        reason=f"lignes {first_line}–{next_row + 1} : {created} (soumises), {refused}",
    )
    return created_here


def _another_job_at_work(job: ImportJob, since) -> bool:
    """Whether another job of `job`'s source is unfinished, or finished since `since`."""
    others = ImportJob.objects.filter(source=job.source).exclude(pk=job.pk)
    return others.filter(Q(status__in=UNFINISHED) | Q(finished_at__gte=since)).exists()


def _release(job: ImportJob, token) -> None:
    """Give the claim back (the job stays unfinished: `recover` queues it again)."""
    leases.release(ImportJob.objects.filter(pk=job.pk, claim_token=token))


def _finish(job: ImportJob, token) -> None:
    with transaction.atomic():
        if not ImportJob.objects.filter(pk=job.pk, claim_token=token).update(
            status=ImportJob.Status.DONE, claimed_until=None, finished_at=timezone.now()
        ):
            raise LeaseLost(job.pk)
        job.status = ImportJob.Status.DONE
        record(
            actor=job.created_by,
            obj=job,
            action="registry.import_done",
            from_state=ImportJob.Status.RUNNING,
            to_state=ImportJob.Status.DONE,
            reason=summary(job),
        )
        _tell_author(job, f"Import « {job.source} » terminé : {summary(job)}")
        if job.created_count:
            _queue_maintenance()


def _queue_maintenance() -> None:
    """Statistics and VACUUM after a bulk load, by a worker once the job commits (outside
    the import's transactions: VACUUM cannot run in one)."""

    enqueue_on_commit(maintain_database, ["registry.Entry", "registry.EntryPriority", "registry.EntrySituation"])


def summary(job: ImportJob) -> str:
    """The job's counts in French (report, command line, audit log)."""
    return ", ".join(
        f"{count} {french_plural(count, singular, plural)}"
        for count, singular, plural in (
            (job.created_count, "fiche créée", "fiches créées"),
            (job.updated_count, "déjà présente", "déjà présentes"),
            (job.error_count, "ligne en erreur", "lignes en erreur"),
        )
    )


def recover(now=None) -> int:
    """Queue again every unfinished job no live worker holds (lease expired or released, or
    never queued); fail those that stopped `MAX_ATTEMPTS` times without writing a chunk.
    Returns the number of jobs queued. A job queued twice runs once (`claim`)."""
    now = now or timezone.now()
    free = ImportJob.objects.filter(leases.free(now), status__in=UNFINISHED)
    for job in free.filter(attempts__gte=MAX_ATTEMPTS):
        fail(job, "L'import s'est interrompu plusieurs fois sans avancer : il a été arrêté. Vérifiez le fichier.")
    waiting = free.filter(attempts__lt=MAX_ATTEMPTS).filter(
        Q(status=ImportJob.Status.RUNNING) | Q(created_at__lt=now - RECOVERY_GRACE)
    )
    return leases.requeue(_task(), list(waiting.values_list("pk", flat=True)))


@transaction.atomic
def fail(job: ImportJob, reason: str) -> None:
    """Mark an unfinished job failed, with a French reason for its author."""
    if ImportJob.objects.filter(pk=job.pk, status__in=UNFINISHED).update(
        status=ImportJob.Status.FAILED, claimed_until=None, finished_at=timezone.now(), message=f"{job.message} {reason}"
    ):
        record(
            actor=None,
            obj=job,
            action="registry.import_failed",
            from_state=job.status,
            to_state=ImportJob.Status.FAILED,
            reason=reason,
        )
        _tell_author(job, f"Import « {job.source} » arrêté", body=reason)


def _tell_author(job: ImportJob, title: str, body: str = "") -> None:
    """Tell the moderator who launched the job that it ended (in the transaction that ends it;
    the command line's jobs have no author)."""
    notify(
        IMPORT_FINISHED,
        import_author(job),
        target=job,
        title=title,
        body=body,
        url=import_job_url(job),
        may_see="registry.import",
    )


def unfinished_job(source: str) -> ImportJob | None:
    """The latest unfinished job of `source` (the command line resumes it)."""
    return ImportJob.objects.filter(source=source, status__in=UNFINISHED).order_by("-created_at").first()


def import_file(path: str, source: str, user=None, chunk_size: int = CHUNK_SIZE, progress=None) -> ImportJob:
    """Import a file in this process, through the workers' code: resume the unfinished job
    of this source, or start one. For the benchmarks and tests (the command line follows a
    worker, or runs here with --here); raises JobBusy when a live worker holds the job."""
    job = unfinished_job(source)
    if job is None:
        with open(path, "rb") as handle:
            job = create_job(source, File(handle, name=path.rsplit("/", 1)[-1]), user, chunk_size=chunk_size)
    token = claim(job.pk)
    if token is None:
        raise JobBusy(job.pk)
    job = ImportJob.objects.select_related("created_by").get(pk=job.pk)
    return run_claimed(job, token, progress=progress)
