"""The outbox: an e-mail is a row written with the change that causes it, sent by a worker
after the commit, sent once, recorded as sent only when it is; a refusal is retried with a
backoff, then kept as failed for good and logged; a lost task or a dead worker loses nothing."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction

from tests.factories import UserFactory
from tpj.audit.models import AuditEvent
from tpj.core import leases
from tpj.outbox import delivery, services
from tpj.outbox.models import OutgoingEmail
from tpj.outbox.tasks import recover_outbox, send_email

from .backends import LEAKY, REFUSING, UNREACHABLE, WORKING

pytestmark = pytest.mark.django_db


def _enqueue(purpose="tests.ping", **overrides):
    return services.enqueue(purpose, **{"to": "porteur@example.fr", "subject": "Objet", "body": "Texte", **overrides})


def _committed(capture, **overrides):
    """Enqueue in a transaction that commits (its sending is queued then, and runs inline in tests)."""
    with capture(execute=True):
        message = _enqueue(**overrides)
    message.refresh_from_db()
    return message


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
        (
            REFUSING,
            "Le serveur d'envoi a refusé le ou les destinataires : porteur@example.fr. "
            "Vérifiez l'adresse du destinataire (corrigez-la dans son compte si besoin), puis renvoyez-le.",
        ),
        (
            UNREACHABLE,
            "Le serveur d'envoi est injoignable (connexion refusée). "
            "Renvoyez-le plus tard ; si l'échec persiste, prévenez l'administrateur de la plateforme.",
        ),
    ],
)
def test_a_refused_message_is_retried_with_backoff_then_failed_for_good_and_logged(
    hook_calls, django_capture_on_commit_callbacks, settings, caplog, time_passes, backend, error
):
    settings.EMAIL_BACKEND = backend
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with caplog.at_level(logging.WARNING, logger="tpj.outbox"):
        message = _committed(django_capture_on_commit_callbacks)
        assert message.status == OutgoingEmail.Status.PENDING and message.attempts == 1 and message.last_error == error
        assert timedelta(minutes=1) <= message.next_attempt_at - message.last_attempt_at < timedelta(minutes=2)

        recover_outbox()  # its next attempt has not come: nothing happens
        message.refresh_from_db()
        assert message.attempts == 1

        time_passes()
        recover_outbox()
        message.refresh_from_db()
        assert message.status == OutgoingEmail.Status.PENDING and message.attempts == 2
        assert timedelta(minutes=5) <= message.next_attempt_at - message.last_attempt_at < timedelta(minutes=6)

        time_passes()
        recover_outbox()
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.FAILED and message.attempts == 3 and message.sent_at is None
    assert message.last_error == error and message.next_attempt_at is None
    assert mail.outbox == [] and hook_calls == []  # nothing recorded as sent

    time_passes()
    recover_outbox()  # failed for good: no fourth attempt by itself
    message.refresh_from_db()
    assert message.attempts == 3
    records = [r for r in caplog.records if f"e-mail {message.pk} " in r.getMessage()]
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING, logging.ERROR]


def test_the_error_shown_to_staff_holds_no_secret(hook_calls, settings):
    settings.EMAIL_BACKEND = LEAKY
    message = services.send(_enqueue())
    assert message.last_error.startswith("Le serveur d'envoi a refusé l'authentification de la plateforme.")
    assert "s3cr3t" not in message.last_error


def test_retry_sends_a_failed_message_and_only_then_runs_its_hook(hook_calls, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = services.send(_enqueue())
    assert message.status == OutgoingEmail.Status.FAILED and hook_calls == []
    settings.EMAIL_BACKEND = WORKING
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry(message)
        assert not services.retry(message)  # already back in line: once
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 2 and message.last_error == ""
    assert len(mail.outbox) == 1 and hook_calls == [message]


def test_renvoyer_is_recorded_in_the_audit_log_with_who_and_the_error_it_answers(hook_calls, settings):
    settings.EMAIL_BACKEND = REFUSING
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = services.send(_enqueue())
    staff = UserFactory()
    assert services.retry(message, actor=staff)
    assert not services.retry(message, actor=staff)  # back in line already: nothing to record
    events = AuditEvent.objects.filter(action="outbox.retry", object_id=str(message.pk))
    assert [(e.actor, e.from_state_label, e.to_state_label) for e in events] == [(staff, "En échec", "À envoyer")]
    assert events[0].action_label == "Renvoi d'un courriel en échec"
    assert events[0].reason.startswith("Le serveur d'envoi a refusé")


def test_a_task_queued_twice_sends_the_message_once(hook_calls, django_capture_on_commit_callbacks):
    message = _committed(django_capture_on_commit_callbacks)
    send_email(message.pk)
    send_email(message.pk)
    assert services.send(message) is None
    assert len(mail.outbox) == 1 and len(hook_calls) == 1
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 1


def test_a_message_whose_worker_died_while_sending_is_sent_once_its_lease_expires(hook_calls, time_passes):
    message = _enqueue()
    assert delivery.claim(message.pk)  # a worker claims it, then is killed (SIGKILL) before sending
    send_email(message.pk)  # its lease holds: no other worker takes the message
    recover_outbox()
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENDING and mail.outbox == []

    time_passes()
    recover_outbox()
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 2
    assert len(mail.outbox) == 1 and hook_calls == [message]


def test_a_message_never_queued_is_found_by_the_next_recovery(hook_calls, monkeypatch, django_capture_on_commit_callbacks):
    with monkeypatch.context() as down:  # the queue's server is down when the change commits
        down.setattr(leases, "enqueue_quietly", lambda task, *args: False)
        message = _committed(django_capture_on_commit_callbacks)
    assert message.status == OutgoingEmail.Status.PENDING and message.claimed_until is None and mail.outbox == []
    recover_outbox()
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and hook_calls == [message]


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


def test_send_outbox_sends_waiting_messages_at_once_and_retry_failed_the_failed_ones(
    hook_calls, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.EMAIL_BACKEND = REFUSING
    backing_off = _committed(django_capture_on_commit_callbacks, subject="Retenté")  # 1 attempt, next in 1 minute
    exhausted = _enqueue(subject="Épuisé")
    services.send(exhausted), services.send(exhausted, early=True)
    assert OutgoingEmail.objects.get(pk=exhausted.pk).status == OutgoingEmail.Status.FAILED
    with pytest.raises(CommandError, match="1 courriel non envoyé"):
        call_command("send_outbox")  # still refusing: the waiting one fails for good, the failed one is left alone
    assert OutgoingEmail.objects.get(pk=exhausted.pk).attempts == 2

    settings.EMAIL_BACKEND = WORKING
    call_command("send_outbox")
    assert mail.outbox == []  # both failed for good: only --retry-failed sends them
    call_command("send_outbox", "--retry-failed")
    assert sorted(m.subject for m in mail.outbox) == ["Retenté", "Épuisé"]
    assert not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists()
    assert OutgoingEmail.objects.get(pk=backing_off.pk).attempts == 3
