"""Requesting, building, recovering and purging export files.

request_export(user, kind, parameters) — a job saved and queued (the French message of
                                         `QueueUnavailable` when the queue is down: the
                                         job waits and the recovery queues it later).
build(job_id)                           — claim the job, write its file to the default
                                         storage, record the outcome (the worker's task).
recover_stalled()                       — queue again the jobs the queue lost and the builds
                                         whose worker died (every minute).
purge_expired()                         — delete the files past their date (every hour).
refresh_public_exports()                — queue a new open-data file where its data changed,
                                         one at a time.
"""

import datetime
import hashlib
import logging
import tempfile
import uuid

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import leases, locks
from tpj.core.queue import UNAVAILABLE_MESSAGE, QueueUnavailable, enqueue, enqueue_on_commit, queue_is_reachable

from . import builders
from .models import ExportJob, export_path

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=5)  # renewed while rows are written
HEARTBEAT_CHUNKS = 2000  # pieces written between two renewals of the lease (and progress updates)
REQUEUE_AFTER = datetime.timedelta(minutes=5)  # a job still waiting after this is queued again
MAX_ATTEMPTS = 3  # builds interrupted (worker killed) before the job is marked failed
KEEP_FOR = datetime.timedelta(days=7)  # a prepared file stays downloadable this long
PUBLIC_OVERLAP = datetime.timedelta(hours=1)  # an open-data file replaced stays this long (downloads under way)
UNFINISHED = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
NEVER_TRIED = datetime.datetime.min.replace(tzinfo=datetime.UTC)  # before any job's creation

FAILED_MESSAGE = (
    "La préparation du fichier a échoué. Demandez-le à nouveau ; si l'échec se répète, signalez-le à l'équipe du site."
)
INTERRUPTED_MESSAGE = "La préparation du fichier a été interrompue à plusieurs reprises. Demandez-le à nouveau."


def _task():
    from .tasks import build_export  # the task module imports this one

    return build_export


def request_export(user, kind: str, parameters: dict) -> tuple[ExportJob, str]:
    """Save a job for `user` and queue its build. Returns the job and a French message (the
    queue's unavailability message when it could not be queued: the job is kept and starts
    automatically). Raises PermissionDenied (French reason) when `user` may not have the file."""
    builder = builders.get(kind)
    decision = builder.authorize(user, parameters)
    if not decision:
        raise PermissionDenied(decision.reason)
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=user,
            kind=kind,
            title=_title(builder, parameters),
            parameters=parameters,
            scope=builder.scope(user),
            filename=builder.filename(parameters),
            content_type=builder.content_type,
            format_label=builder.format_label,
            last_queued_at=timezone.now(),
        )
        record(actor=user, obj=job, action="downloads.requested", to_state=job.status, after={"kind": kind, **parameters})
    # Queued once the job is committed (the view runs in ATOMIC_REQUESTS: the worker must find the row).
    message = "Le fichier est en préparation : il sera disponible dans « Mes téléchargements »."
    if transaction.get_connection().in_atomic_block:
        enqueue_on_commit(_task(), job.pk)
        # Queued after the commit: say now whether the queue answers (if not, the job waits
        # and `recover_stalled` queues it once the queue is back).
        return job, message if queue_is_reachable() else UNAVAILABLE_MESSAGE
    try:
        enqueue(_task(), job.pk)
    except QueueUnavailable as error:
        return job, error.message
    job.refresh_from_db()
    return job, message


def _title(builder, parameters) -> str:
    description = builder.describe(parameters)
    return (f"{builder.label} — {description}" if description else builder.label)[:255]


def claim(job_id: int, now=None) -> uuid.UUID | None:
    """Take job `job_id` for this worker (a conditional UPDATE): a waiting job, or a build whose
    lease expired. Returns the claim's token, or None when the job is not to be built now."""
    now = now or timezone.now()
    claimable = leases.claimable(now, waiting=Q(status=ExportJob.Status.QUEUED), working=Q(status=ExportJob.Status.RUNNING))
    return leases.claim(
        ExportJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS),
        lease=LEASE,
        now=now,
        token=uuid.uuid4(),
        status=ExportJob.Status.RUNNING,
        started_at=now,
        rows_written=0,
    )


def _mine(job_id, token):
    return ExportJob.objects.filter(pk=job_id, claim_token=token, status=ExportJob.Status.RUNNING)


def build(job_id: int) -> bool:
    """Build job `job_id` if it can be claimed; True when this call stored its file.

    The file is written to a temporary file (hashed on the way), then saved once to the
    default storage; no transaction is held while rows are written."""
    token = claim(job_id)
    if token is None:
        return False
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    builder = builders.get(job.kind)
    user = job.requested_by
    try:
        if user is not None:
            decision = builder.authorize(user, job.parameters)
            if not decision:
                raise PermissionDenied(decision.reason)
        if builder.count:
            _mine(job.pk, token).update(total_rows=builder.count(job.parameters, user))
        with tempfile.TemporaryFile() as handle:
            size, digest, pieces = _write(builder.chunks(job.parameters, user), handle, job.pk, token)
            handle.seek(0)
            name = default_storage.save(export_path(job, job.filename), File(handle, name=job.filename))
    except leases.LeaseLost:
        logger.warning("Export %s: lease lost, another worker builds it", job_id)
        return False
    except Exception as error:
        reason = str(error) if isinstance(error, PermissionDenied) and str(error) else FAILED_MESSAGE
        if not isinstance(error, PermissionDenied):
            logger.exception("Export %s (%s) failed", job_id, job.kind)
        _fail(job, token, reason)
        return False
    stored = _finish(job, token, name=name, size=size, sha256=digest, rows=max(pieces - builder.framing, 0))
    if stored and user is None:  # an open-data file: the next one whose data changed (one at a time)
        refresh_public_exports()
    return stored


def _write(chunks, handle, job_id, token) -> tuple[int, str, int]:
    digest, size, pieces = hashlib.sha256(), 0, 0
    for chunk in chunks:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        handle.write(data)
        digest.update(data)
        size += len(data)
        pieces += 1
        if pieces % HEARTBEAT_CHUNKS == 0 and not leases.renew(_mine(job_id, token), lease=LEASE, rows_written=pieces):
            raise leases.LeaseLost(job_id)
    return size, digest.hexdigest(), pieces


def _finish(job, token, *, name, size, sha256, rows) -> bool:
    now = timezone.now()
    with transaction.atomic():
        done = _mine(job.pk, token).update(
            status=ExportJob.Status.READY,
            file=name,
            size=size,
            sha256=sha256,
            rows_written=rows,
            total_rows=rows,
            finished_at=now,
            expires_at=now + KEEP_FOR,
            claimed_until=None,
            error="",
        )
        if not done:  # taken over meanwhile: the other build's file is the one kept
            transaction.on_commit(lambda: default_storage.delete(name))
            return False
        job.refresh_from_db()
        record(
            actor=None,
            obj=job,
            action="downloads.ready",
            from_state=ExportJob.Status.RUNNING,
            to_state=ExportJob.Status.READY,
            after={"lignes": rows, "octets": size, "sha256": sha256},
        )
        if job.requested_by_id is None:  # a new open-data file: the previous ones leave after a while
            ExportJob.objects.public(job.kind).exclude(pk=job.pk).filter(expires_at__gt=now + PUBLIC_OVERLAP).update(
                expires_at=now + PUBLIC_OVERLAP
            )
    return True


def _fail(job, token, reason: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        if _mine(job.pk, token).update(
            status=ExportJob.Status.FAILED, error=reason, finished_at=now, expires_at=now + KEEP_FOR, claimed_until=None
        ):
            record(
                actor=None,
                obj=job,
                action="downloads.failed",
                from_state=ExportJob.Status.RUNNING,
                to_state=ExportJob.Status.FAILED,
                reason=reason,
            )


def recover_stalled(now=None) -> int:
    """Queue again the jobs still waiting after REQUEUE_AFTER (a task lost, or never queued
    because the queue was down) and the builds whose lease expired (a worker killed); a build
    interrupted MAX_ATTEMPTS times is marked failed. Returns the number of jobs queued."""
    now = now or timezone.now()
    ids = []
    for job in ExportJob.objects.stalled(now, REQUEUE_AFTER).only("pk", "status", "attempts", "claim_token"):
        if job.status == ExportJob.Status.RUNNING and job.attempts >= MAX_ATTEMPTS:
            _fail(job, job.claim_token, INTERRUPTED_MESSAGE)
        else:
            ids.append(job.pk)
    ExportJob.objects.filter(pk__in=ids).update(last_queued_at=now)
    return leases.requeue(_task(), ids)


def purge_expired(now=None) -> int:
    """Delete the jobs past their date and their files. Returns how many were deleted."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(status=ExportJob.Status.RUNNING):
        if job.file:
            job.file.delete(save=False)
        with transaction.atomic():
            record(actor=None, obj=job, action="downloads.purged", from_state=job.status, after={"fichier": job.filename})
            job.delete()
        purged += 1
    return purged


def latest_public(kind: str) -> ExportJob | None:
    """The newest open-data file of `kind`, if it is not older than its data's last change."""
    builder = builders.get(kind)
    job = ExportJob.objects.public(kind).first()
    if job is None or not job.file:
        return None
    changed = builder.last_change() if builder.last_change else None
    return None if changed and changed > job.created_at else job


@transaction.atomic
def refresh_public_exports() -> int:
    """Queue a new open-data file for one public builder whose data changed since its last
    file, unless one is already waiting or being built. Returns the number of jobs created.

    One at a time: at a million entries each file takes minutes to write, and building them
    all at once held every worker, so that imports, e-mails and the files staff asked for
    waited behind them. A build that stores its file queues the next (`build`); of those
    whose data changed, the one tried longest ago goes first, so that a builder that keeps
    failing never holds back the others (the quarter-hourly run tries it again). Runs one
    at a time (a build ending as the quarter-hourly run starts): the second sees the first's job."""
    locks.hold_until_commit("downloads.refresh_public_exports")
    if ExportJob.objects.open_data().filter(status__in=UNFINISHED).exists():
        return 0
    changed = [builder for builder in builders.public_builders() if latest_public(builder.kind) is None]
    if not changed:
        return 0
    tried = dict(
        ExportJob.objects.open_data()
        .filter(kind__in=[b.kind for b in changed])
        .values("kind")
        .annotate(last=Max("created_at"))
        .values_list("kind", "last")
    )
    builder = min(changed, key=lambda b: (tried.get(b.kind, NEVER_TRIED), b.kind))
    job = ExportJob.objects.create(
        kind=builder.kind,
        title=builder.label,
        filename=builder.filename({}),
        content_type=builder.content_type,
        format_label=builder.format_label,
        last_queued_at=timezone.now(),
    )
    enqueue_on_commit(_task(), job.pk)
    return 1
