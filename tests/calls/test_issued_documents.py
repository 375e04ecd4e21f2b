"""The pipeline shared by the decision letters and the conventions (tpj.calls.services.issued_documents),
on its paths the pages do not reach: a worker overtaken while drawing, a decision that moved on
before the drawing, a failure's summary and log; each for both kinds of document."""

import datetime
import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from tpj.audit.models import AuditEvent
from tpj.calls.emails import CONVENTION, DECISION_LETTER
from tpj.calls.models import Application, Convention, DecisionLetter
from tpj.calls.services import conventions, letters
from tpj.outbox.models import OutgoingEmail

from .factories import decided_call

pytestmark = pytest.mark.django_db


@dataclass
class Kind:
    model: type
    issue: object
    draw: str  # what a test patches to make the drawing fail or wait
    logger: str
    folder: str
    obsolete: tuple  # (state, last_error) once the decision moved on
    failure: str
    purpose: str
    subject: str
    attachment: str
    audit_action: str
    audit_key: str


LETTER = Kind(
    DecisionLetter,
    letters.issue_letter,
    "tpj.calls.services.letters.decision_letter_pdf",
    "tpj.calls.services.letters",
    "calls/letters",
    (DecisionLetter.State.CANCELLED, ""),
    "Le courrier n'a pas pu être préparé (OSError).",
    DECISION_LETTER,
    "Décision — {}",
    "decision-{}.pdf",
    "calls.decision.letter_issued",
    "courrier",
)
CONVENTION = Kind(
    Convention,
    conventions.issue_convention,
    "tpj.calls.conventions.convention_pdf",
    "tpj.calls.services.conventions",
    "calls/conventions",
    (Convention.State.FAILED, "La décision a été rouverte."),
    "La convention n'a pas pu être rédigée (OSError).",
    CONVENTION,
    "Convention de subvention — {}",
    "convention-{}.pdf",
    "calls.convention.issued",
    "convention",
)


def requested(kind: Kind, django_capture_on_commit_callbacks):
    """A laureate's document requested, its task not run: the test plays the worker."""
    call, apps = decided_call()
    app = Application.objects.get(pk=apps[0].pk)
    with django_capture_on_commit_callbacks(execute=False):
        if kind is LETTER:
            row = letters.request_letter(app, call.manager)
        else:
            draft = conventions.save_schedule(
                app, call.manager, conventions.schedule_lines(conventions.draft_for(app)), timezone.localdate()
            )
            row = conventions.request_convention(draft, call.manager)
    assert row.state == kind.model.State.REQUESTED
    return app, row


@pytest.mark.parametrize("kind", [LETTER, CONVENTION], ids=["letter", "convention"])
def test_a_worker_overtaken_while_drawing_keeps_nothing_and_the_document_is_issued_once(
    kind, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    app, row = requested(kind, django_capture_on_commit_callbacks)
    real = import_string(kind.draw)
    second = {}

    def overtaken(*args):
        # This worker's lease expires while it draws: another one claims the row and issues it.
        kind.model.objects.filter(pk=row.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
        monkeypatch.setattr(kind.draw, real)
        second["row"] = kind.issue(row.pk)
        return b"%PDF-1.4 drawn too late"

    monkeypatch.setattr(kind.draw, overtaken)
    with caplog.at_level(logging.WARNING, logger=kind.logger):
        assert kind.issue(row.pk) is None

    row.refresh_from_db()
    assert row.pk == second["row"].pk and row.state == kind.model.State.ISSUED and row.attempts == 2
    assert default_storage.listdir(f"{kind.folder}/{app.pk}")[1] == [row.file.name.rsplit("/", 1)[1]]
    with row.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == row.sha256
    (warning,) = [r for r in caplog.records if r.name == kind.logger]
    assert warning.getMessage().endswith(f" {row.pk} drawn after its lease expired: discarded")

    (email,) = OutgoingEmail.objects.filter(purpose=kind.purpose)
    assert row.message == email and email.recipients == [app.created_by.email]
    assert email.subject.endswith(kind.subject.format(app.reference))
    assert [a.filename for a in email.attachments.all()] == [kind.attachment.format(app.reference)]
    (event,) = AuditEvent.objects.for_object(app).filter(action=kind.audit_action)
    assert event.after == {kind.audit_key: row.pk, "fichier": row.file.name, "sha256": row.sha256}


@pytest.mark.parametrize("kind", [LETTER, CONVENTION], ids=["letter", "convention"])
def test_a_document_whose_decision_moved_on_is_not_drawn(kind, django_capture_on_commit_callbacks, monkeypatch):
    app, row = requested(kind, django_capture_on_commit_callbacks)
    monkeypatch.setattr(kind.draw, lambda *args: pytest.fail("drawn for a decision that moved on"))
    Application.objects.filter(pk=app.pk).update(decided_at=F("decided_at") + datetime.timedelta(seconds=1))

    assert kind.issue(row.pk) is None
    row.refresh_from_db()
    assert (row.state, row.last_error, row.claimed_until, row.file.name) == (*kind.obsolete, None, "")
    assert not OutgoingEmail.objects.filter(purpose=kind.purpose).exists()


@pytest.mark.parametrize("kind", [LETTER, CONVENTION], ids=["letter", "convention"])
def test_a_failed_drawing_says_so_to_the_staff_and_in_its_service_log(
    kind, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    app, row = requested(kind, django_capture_on_commit_callbacks)

    def broken(*args):
        raise OSError("disque plein")

    monkeypatch.setattr(kind.draw, broken)
    with caplog.at_level(logging.WARNING, logger=kind.logger):
        kind.issue(row.pk)
    row.refresh_from_db()
    assert (row.state, row.last_error, row.attempts) == (kind.model.State.REQUESTED, kind.failure, 1)
    assert row.claimed_until > timezone.now()  # the recovery waits before the next attempt
    (warning,) = [r for r in caplog.records if r.name == kind.logger]
    assert warning.levelno == logging.WARNING
    assert warning.getMessage().endswith(f" {row.pk} (application {app.pk}) not drawn, attempt 1 of 3")
