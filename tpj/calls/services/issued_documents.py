"""Documents a worker draws once and issues from the storage: the decision letters
(tpj.calls.services.letters) and the conventions de subvention (tpj.calls.services.conventions).

Each kind is an `IssuedDocument`: its model and what differs (the drawing, the e-mail, the
audit action, what happens when the decision moved on). The pipeline is the same:

    queue_on_commit(kind, pk) — the drawing queued once the caller's transaction commits.
    issue(kind, pk)           — the worker's task: claims the row with a lease, draws the PDF
                                outside any transaction, stores it under a name of this
                                attempt's own, then in one short transaction checks the lease
                                is still its own, marks the row issued (SHA-256 in the row and
                                the audit log) and writes the e-mail to the outbox, attaching
                                the stored file; a failure is recorded and tried again, up to
                                `max_attempts`, then shown to the staff.
    recover(kind)             — every minute: rows whose task was lost or whose worker died.

The model has `application`, `decided_at`, `state` (with REQUESTED, DRAWING and ISSUED), `file`,
`sha256`, `issued_at`, `requested_by`, the lease (`claimed_until`, `attempts`), `last_error` and
`message` (the outbox's e-mail).
"""

import hashlib
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from tpj.audit.services import record
from tpj.core import leases
from tpj.core.uploads import PDF
from tpj.outbox.delivery import backoff, lease  # a drawing is leased and retried as a sending is

from . import mail


@dataclass(frozen=True)
class Mail:
    """The e-mail that carries an issued document (attached to it)."""

    purpose: str  # one of tpj.calls.emails'
    subject: str
    body: str


@dataclass(frozen=True)
class Issue:
    """What issuing a document writes, besides the row: its file, its e-mail, its audit event."""

    # The stored file's and the attachment's names start with it: "decision", "convention".
    file_prefix: str
    # The e-mail, from the locked row and its application.
    mail: Callable[[models.Model, models.Model], Mail]
    audit_action: str
    # The row's key in the audit event: "courrier", "convention".
    audit_key: str


@dataclass(frozen=True)
class IssuedDocument:
    """One kind of document issued through a worker: what differs from one kind to another,
    in the order of the pipeline."""

    model: type[models.Model]
    # The worker's task, by its path: its module imports the service's.
    task: str
    # The service's own, so that its records keep their logger's name; the row's name in them.
    logger: logging.Logger
    name: str
    # The application's relations the drawing and the e-mail read.
    related: tuple[str, ...]
    # The application states in which the document is still due for its decision.
    decided_states: Collection[str]
    # What the row becomes (besides losing its lease) when its decision moved on meanwhile.
    obsolete: dict
    draw: Callable[[models.Model], bytes]
    max_attempts: int
    # The summary shown to the staff, "{}" the error's class.
    failure: str
    issue: Issue


def _waiting(kind: IssuedDocument):
    return kind.model.objects.filter(state=kind.model.State.REQUESTED)


def queue_on_commit(kind: IssuedDocument, pk: int) -> None:
    """Queue the drawing of row `pk` once the caller's transaction commits; when the queue
    cannot take it, the next recovery will."""
    transaction.on_commit(partial(leases.queue, import_string(kind.task), pk, waiting=_waiting(kind)), robust=True)


def issue(kind: IssuedDocument, pk: int):
    """Draw, store and issue row `pk`, then put its e-mail in the outbox; return the row, or
    None when there is nothing to do (issued already, another worker is drawing it, or its
    decision moved on)."""
    model = kind.model
    claimable = leases.claimable(timezone.now(), waiting=Q(state=model.State.REQUESTED), working=Q(state=model.State.DRAWING))
    token = leases.claim(model.objects.filter(claimable, pk=pk), lease=lease(), state=model.State.DRAWING)
    if token is None:
        return None
    row = model.objects.select_related(*(f"application__{path}" for path in kind.related)).get(pk=pk)
    app = row.application
    if app.decided_at != row.decided_at or app.state not in kind.decided_states:
        model.objects.filter(pk=pk, claimed_until=token).update(claimed_until=None, **kind.obsolete)
        return None
    try:
        content = kind.draw(row)
        # A name of this attempt's own: a worker that died mid-way never leaves a file another one overwrites.
        filename = f"{kind.issue.file_prefix}-{app.reference}-{row.pk}-{row.attempts}.pdf"
        stored = default_storage.save(row.file.field.generate_filename(row, filename), ContentFile(content))
    except Exception as error:  # drawing or storage: recorded, tried again, never raised
        return _record_failure(kind, row, token, error)
    return _record_issued(kind, row, token, stored, hashlib.sha256(content).hexdigest())


def _record_issued(kind: IssuedDocument, row, token, stored: str, digest: str):
    model = kind.model
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=row.pk)
        if locked.state != model.State.DRAWING or locked.claimed_until != token:
            default_storage.delete(stored)  # another worker took it over after our lease expired
            kind.logger.warning("%s %s drawn after its lease expired: discarded", kind.name, row.pk)
            return None
        app = row.application
        locked.file.name = stored
        locked.sha256 = digest
        locked.issued_at = timezone.now()
        locked.state = model.State.ISSUED
        locked.claimed_until = None
        locked.last_error = ""
        email = kind.issue.mail(locked, app)
        locked.message = mail.send(
            email.purpose,
            app.created_by.email,
            email.subject,
            email.body,
            obj=app,
            sender=locked.requested_by,
            attachments=[(f"{kind.issue.file_prefix}-{app.reference}.pdf", locked.file, PDF)],
        )
        locked.save(update_fields=["file", "sha256", "issued_at", "state", "claimed_until", "last_error", "message"])
        record(
            actor=locked.requested_by,
            obj=app,
            action=kind.issue.audit_action,
            after={kind.issue.audit_key: locked.pk, "fichier": stored, "sha256": digest},
        )
    return locked


def _record_failure(kind: IssuedDocument, row, token, error: BaseException):
    model = kind.model
    final = row.attempts >= kind.max_attempts
    model.objects.filter(pk=row.pk, state=model.State.DRAWING, claimed_until=token).update(
        state=model.State.FAILED if final else model.State.REQUESTED,
        # not final: the recovery queues it again once this wait is over
        claimed_until=None if final else timezone.now() + backoff(row.attempts),
        last_error=kind.failure.format(type(error).__name__),
    )
    kind.logger.log(
        logging.ERROR if final else logging.WARNING,
        "%s %s (application %s) not drawn, attempt %s of %s",
        kind.name,
        row.pk,
        row.application_id,
        row.attempts,
        kind.max_attempts,
        exc_info=error,
    )
    row.refresh_from_db()
    return row


def recover(kind: IssuedDocument, *, limit: int = 500) -> int:
    """Queue again the rows whose task was lost or whose worker died; return how many the queue took."""
    now = timezone.now()
    lost = Q(state__in=[kind.model.State.REQUESTED, kind.model.State.DRAWING]) & leases.free(now)
    ids = list(kind.model.objects.filter(lost).order_by("pk").values_list("pk", flat=True)[:limit])
    return leases.requeue(import_string(kind.task), ids, waiting=_waiting(kind), lease=lease(), now=now)
