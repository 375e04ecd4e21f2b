"""Decision letters drawn once, by a worker, and issued from the storage.

    request_letter(app, user) — in the notification's transaction: one DecisionLetter row
                                per decision (requested), its drawing queued on commit.
    issue_letter(letter_id)   — the worker's task (tpj.calls.tasks.letters): claims the
                                row with a lease, draws the PDF outside any transaction,
                                stores it, then in one short transaction marks it issued
                                (SHA-256 in the row and the audit log) and writes the
                                applicant's e-mail to the outbox, attaching the stored file.
    recover_letters()         — every minute: requests whose task was lost, drawings whose
                                worker died (expired lease), failed drawings whose next
                                attempt has come.

An issued letter is never redrawn: a second task, a copy of the task or a second
notification finds it issued and does nothing; the download page serves the stored file.
"""

import hashlib
import logging
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import leases
from tpj.outbox.delivery import backoff, lease  # a drawing is leased and retried as a sending is

from ..emails import DECISION_LETTER
from ..letters import decision_letter_pdf
from ..models import Application, DecisionLetter
from . import mail

logger = logging.getLogger(__name__)

# Attempts at drawing and storing a letter before it is failed (shown on the decisions page).
MAX_ATTEMPTS = 3


def current_letter(app: Application) -> DecisionLetter | None:
    """The letter of the application's current decision, if one was requested."""
    if app.decided_at is None:
        return None
    return app.decision_letters.filter(decided_at=app.decided_at).first()


def issued_letter(app: Application) -> DecisionLetter | None:
    """The issued letter of the application's current decision (the file the applicant received)."""
    letter = current_letter(app)
    return letter if letter is not None and letter.state == DecisionLetter.State.ISSUED else None


def request_letter(app: Application, user) -> DecisionLetter | None:
    """Ask a worker to draw and send the letter of `app`'s current decision, once the caller's
    transaction commits; return the letter, or None when it is requested, issued or being
    drawn already. A failed one is requested again (the manager notifies once more)."""
    now = timezone.now()
    letter, created = DecisionLetter.objects.get_or_create(
        application=app,
        decided_at=app.decided_at,
        defaults={"requested_by": user, "claimed_until": now + lease()},
    )
    if not created:
        again = DecisionLetter.objects.filter(pk=letter.pk, state=DecisionLetter.State.FAILED).update(
            state=DecisionLetter.State.REQUESTED, attempts=0, requested_by=user, claimed_until=now + lease()
        )
        if not again:
            return None
    _queue_on_commit(letter.pk)
    return letter


def _task():
    from ..tasks.letters import draw_decision_letter  # the task module imports this one

    return draw_decision_letter


def _waiting():
    return DecisionLetter.objects.filter(state=DecisionLetter.State.REQUESTED)


def _queue_on_commit(letter_id: int) -> None:
    """Queue the drawing once the caller's transaction commits; when the queue cannot take
    it, the next recovery will."""
    transaction.on_commit(partial(leases.queue, _task(), letter_id, waiting=_waiting()), robust=True)


def issue_letter(letter_id: int) -> DecisionLetter | None:
    """Draw, store and issue letter `letter_id`, then put its e-mail in the outbox; return it,
    or None when there is nothing to do (issued already, or another worker is drawing it)."""
    claimable = leases.claimable(
        timezone.now(), waiting=Q(state=DecisionLetter.State.REQUESTED), working=Q(state=DecisionLetter.State.DRAWING)
    )
    token = leases.claim(
        DecisionLetter.objects.filter(claimable, pk=letter_id), lease=lease(), state=DecisionLetter.State.DRAWING
    )
    if token is None:
        return None
    letter = DecisionLetter.objects.select_related(
        "application__call__region", "application__organisation", "application__created_by"
    ).get(pk=letter_id)
    app = letter.application
    if app.decided_at != letter.decided_at or app.state not in Application.DECIDED_STATES:
        DecisionLetter.objects.filter(pk=letter_id, claimed_until=token).update(
            state=DecisionLetter.State.CANCELLED, claimed_until=None
        )
        return None
    try:
        content = decision_letter_pdf(app)
        # A name of this attempt's own: a worker that died mid-way never leaves a file another one overwrites.
        stored = default_storage.save(
            letter_path(letter, f"decision-{app.reference}-{letter.pk}-{letter.attempts}.pdf"), ContentFile(content)
        )
    except Exception as error:  # drawing or storage: recorded, tried again, never raised
        return _record_failure(letter, token, error)
    return _record_issued(letter, token, stored, hashlib.sha256(content).hexdigest())


def letter_path(letter: DecisionLetter, filename: str) -> str:
    return letter.file.field.generate_filename(letter, filename)


def _record_issued(letter: DecisionLetter, token, stored: str, digest: str) -> DecisionLetter | None:
    with transaction.atomic():
        locked = DecisionLetter.objects.select_for_update().get(pk=letter.pk)
        if locked.state != DecisionLetter.State.DRAWING or locked.claimed_until != token:
            default_storage.delete(stored)  # another worker took it over after our lease expired
            logger.warning("Decision letter %s drawn after its lease expired: discarded", letter.pk)
            return None
        app = letter.application
        locked.file.name = stored
        locked.sha256 = digest
        locked.issued_at = timezone.now()
        locked.state = DecisionLetter.State.ISSUED
        locked.claimed_until = None
        locked.last_error = ""
        locked.message = mail.send(
            DECISION_LETTER,
            app.created_by.email,
            f"Décision — {app.reference}",
            f"Veuillez trouver ci-joint la décision relative à votre candidature « {app.title} ».",
            obj=app,
            sender=locked.requested_by,
            attachments=[(f"decision-{app.reference}.pdf", locked.file, "application/pdf")],
        )
        locked.save(update_fields=["file", "sha256", "issued_at", "state", "claimed_until", "last_error", "message"])
        record(
            actor=locked.requested_by,
            obj=app,
            action="calls.decision.letter_issued",
            after={"courrier": locked.pk, "fichier": stored, "sha256": digest},
        )
    return locked


def _record_failure(letter: DecisionLetter, token, error: BaseException) -> DecisionLetter:
    final = letter.attempts >= MAX_ATTEMPTS
    summary = f"Le courrier n'a pas pu être préparé ({type(error).__name__})."
    DecisionLetter.objects.filter(pk=letter.pk, state=DecisionLetter.State.DRAWING, claimed_until=token).update(
        state=DecisionLetter.State.FAILED if final else DecisionLetter.State.REQUESTED,
        # not final: the recovery queues it again once this wait is over
        claimed_until=None if final else timezone.now() + backoff(letter.attempts),
        last_error=summary,
    )
    logger.log(
        logging.ERROR if final else logging.WARNING,
        "Decision letter %s (application %s) not drawn, attempt %s of %s",
        letter.pk,
        letter.application_id,
        letter.attempts,
        MAX_ATTEMPTS,
        exc_info=error,
    )
    letter.refresh_from_db()
    return letter


def recover_letters(*, limit: int = 500) -> int:
    """Queue again the letters whose task was lost or whose worker died; return how many the queue took."""
    now = timezone.now()
    lost = Q(state__in=[DecisionLetter.State.REQUESTED, DecisionLetter.State.DRAWING]) & leases.free(now)
    ids = list(DecisionLetter.objects.filter(lost).order_by("pk").values_list("pk", flat=True)[:limit])
    return leases.requeue(_task(), ids, waiting=_waiting(), lease=lease(), now=now)
