"""The outbox: an e-mail is a row written with the change that causes it, sent after the
commit, sent once, recorded as sent only when it is, and a failure is kept and logged."""

import logging

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction

from tests.factories import UserFactory
from tpj.outbox import services
from tpj.outbox.models import OutgoingEmail

from .backends import LEAKY, REFUSING, UNREACHABLE

pytestmark = pytest.mark.django_db


def _enqueue(purpose="tests.ping", **overrides):
    return services.enqueue(purpose, **{"to": "porteur@example.fr", "subject": "Objet", "body": "Texte", **overrides})


def test_the_message_is_sent_after_the_commit_with_its_stored_attachment(hook_calls, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue(obj=user, sender=user, attachments=[("lettre.pdf", b"%PDF-1.4 lettre", "application/pdf")])
        assert mail.outbox == [] and message.status == OutgoingEmail.Status.PENDING  # nothing before the commit
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 1 and message.sent_at
    assert message.content_object == user and message.sender == user
    with message.attachments.get().file.open("rb") as stored:  # kept in the storage, not in memory
        assert stored.read() == b"%PDF-1.4 lettre"
    (sent,) = mail.outbox
    assert sent.to == ["porteur@example.fr"] and sent.attachments == [("lettre.pdf", b"%PDF-1.4 lettre", "application/pdf")]
    assert hook_calls == [message]


def test_nothing_is_written_nor_sent_when_the_change_rolls_back(hook_calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _enqueue()
        raise RuntimeError("the change fails")
    assert not OutgoingEmail.objects.exists() and mail.outbox == [] and hook_calls == []


@pytest.mark.parametrize(
    "backend, error",
    [
        (REFUSING, "Le serveur d'envoi a refusé le ou les destinataires : porteur@example.fr."),
        (UNREACHABLE, "Le serveur d'envoi est injoignable (connexion refusée)."),
    ],
)
def test_a_failure_is_recorded_logged_and_never_raised(
    hook_calls, django_capture_on_commit_callbacks, settings, caplog, backend, error
):
    settings.EMAIL_BACKEND = backend
    with caplog.at_level(logging.ERROR, logger="tpj.outbox"), django_capture_on_commit_callbacks(execute=True):
        message = _enqueue()
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.FAILED and message.attempts == 1 and message.sent_at is None
    assert message.last_error == error
    assert hook_calls == []  # nothing recorded as sent
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"e-mail {message.pk} " in record.getMessage()


def test_the_error_shown_to_staff_holds_no_secret(hook_calls, settings):
    settings.EMAIL_BACKEND = LEAKY
    message = services.send(_enqueue())
    assert message.last_error == "Le serveur d'envoi a refusé l'authentification de la plateforme."
    assert "s3cr3t" not in message.last_error


def test_retry_sends_a_failed_message_and_only_then_runs_its_hook(hook_calls, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    message = services.send(_enqueue())
    assert message.status == OutgoingEmail.Status.FAILED and hook_calls == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry(message)
        assert not services.retry(message)  # already back in line: once
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 2 and message.last_error == ""
    assert len(mail.outbox) == 1 and hook_calls == [message]


def test_a_message_is_sent_once_however_often_it_is_dispatched(hook_calls):
    message = _enqueue()
    assert services.send(message).status == OutgoingEmail.Status.SENT
    assert services.send(message) is None
    assert services.send(message.pk) is None
    assert len(mail.outbox) == 1 and len(hook_calls) == 1


def test_a_failing_hook_leaves_the_message_sent_and_says_so(monkeypatch, caplog):
    from tpj.outbox import purposes

    def broken(message):
        raise ValueError("boom")

    monkeypatch.setitem(purposes._PURPOSES, "tests.broken", purposes.Purpose("tests.broken", "Essai", broken))
    with caplog.at_level(logging.ERROR, logger="tpj.outbox"):
        message = services.send(_enqueue("tests.broken"))
    assert message.status == OutgoingEmail.Status.SENT and len(mail.outbox) == 1
    assert message.last_error.startswith("Envoyé, mais l'enregistrement qui suit l'envoi a échoué")
    assert any(f"e-mail {message.pk} " in r.getMessage() for r in caplog.records)


def test_a_personal_link_is_erased_once_sent(hook_calls):
    message = services.send(_enqueue("tests.secret", body="Votre lien : https://exemple/jeton-secret/"))
    message.refresh_from_db()
    assert "jeton-secret" in mail.outbox[0].body and "jeton-secret" not in message.body


def test_an_undeclared_purpose_is_refused_at_once():
    with pytest.raises(LookupError):
        _enqueue("tests.nobody-declared-it")


def test_send_outbox_sends_pending_and_retryable_messages_and_retry_failed_the_rest(hook_calls, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_DISPATCHER = "tests.outbox.test_services.no_dispatch"  # the worker is down: rows wait
    _enqueue(subject="En attente")
    settings.EMAIL_BACKEND = REFUSING
    exhausted = _enqueue(subject="Épuisé")
    services.send(exhausted), services.send(exhausted)
    with pytest.raises(CommandError, match="1 courriel en échec"):
        call_command("send_outbox")  # still refusing: pending fails once, exhausted is left alone
    assert OutgoingEmail.objects.get(pk=exhausted.pk).attempts == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_outbox")
    assert [m.subject for m in mail.outbox] == ["En attente"]
    assert OutgoingEmail.objects.get(pk=exhausted.pk).status == OutgoingEmail.Status.FAILED
    call_command("send_outbox", "--retry-failed")
    assert [m.subject for m in mail.outbox] == ["En attente", "Épuisé"]
    assert not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists()


def no_dispatch(message_id):
    """A dispatcher that sends nothing (as when the queue's worker is stopped)."""
