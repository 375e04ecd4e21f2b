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
The claim, the drawing and the issue are the conventions' own too
(tpj.calls.services.issued_documents); this module says what a letter draws and writes.
"""

import logging

from django.utils import timezone

from tpj.outbox.delivery import lease  # a drawing is leased and retried as a sending is

from ..emails import DECISION_LETTER
from ..letters import decision_letter_pdf
from ..models import Application, DecisionLetter
from . import issued_documents
from .issued_documents import Issue, IssuedDocument, Mail

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
    issued_documents.queue_on_commit(LETTERS, letter.pk)
    return letter


def issue_letter(letter_id: int) -> DecisionLetter | None:
    """Draw, store and issue letter `letter_id`, then put its e-mail in the outbox; return it,
    or None when there is nothing to do (issued already, or another worker is drawing it)."""
    return issued_documents.issue(LETTERS, letter_id)


def recover_letters(*, limit: int = 500) -> int:
    """Queue again the letters whose task was lost or whose worker died; return how many the queue took."""
    return issued_documents.recover(LETTERS, limit=limit)


def _draw(letter: DecisionLetter) -> bytes:
    return decision_letter_pdf(letter.application)


def _mail(letter: DecisionLetter, app: Application) -> Mail:
    return Mail(
        DECISION_LETTER,
        f"Décision — {app.reference}",
        f"Veuillez trouver ci-joint la décision relative à votre candidature « {app.title} ».",
    )


LETTERS = IssuedDocument(
    model=DecisionLetter,
    task="tpj.calls.tasks.letters.draw_decision_letter",
    logger=logger,
    name="Decision letter",
    related=("call__region", "organisation", "created_by"),
    decided_states=Application.DECIDED_STATES,
    # the decision was reopened meanwhile: notifying the next one requests a new letter
    obsolete={"state": DecisionLetter.State.CANCELLED},
    draw=_draw,
    max_attempts=MAX_ATTEMPTS,
    failure="Le courrier n'a pas pu être préparé ({}).",
    issue=Issue(file_prefix="decision", mail=_mail, audit_action="calls.decision.letter_issued", audit_key="courrier"),
)
