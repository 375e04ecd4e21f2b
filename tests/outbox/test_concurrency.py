"""Workers side by side on PostgreSQL (real concurrent transactions): each message is sent once."""

import threading

import pytest
from django.core import mail
from django.db import connection

from tests.concurrency import CONCURRENT_ON_POSTGRES
from tests.reliability.test_concurrency import in_parallel
from tpj.outbox import delivery, services
from tpj.outbox.models import OutgoingEmail
from tpj.outbox.tasks import send_email

pytestmark = CONCURRENT_ON_POSTGRES


@pytest.fixture
def unqueued(monkeypatch):
    """Messages written while no task is queued for them: the test's workers are the only senders."""
    monkeypatch.setattr(delivery, "queue", lambda pk: True)


@pytest.mark.parametrize("workers", [2, 8])
def test_a_message_sent_by_several_workers_at_the_same_instant_is_sent_once(hook_calls, unqueued, workers):
    message = services.enqueue("tests.ping", to="porteur@example.fr", subject="Une fois", body="Texte")
    outcomes = in_parallel(lambda: delivery.send(message.pk), [()] * workers)
    sent = [m for status, m in outcomes if status == "ok" and m is not None]
    assert len(sent) == 1 and len(mail.outbox) == 1 and len(hook_calls) == 1, outcomes
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 1


def test_two_workers_given_every_task_twice_send_each_message_once(hook_calls, unqueued):
    ids = [
        services.enqueue("tests.ping", to=f"porteur{i}@example.fr", subject=f"Message {i}", body="Texte").pk for i in range(60)
    ]
    assert mail.outbox == []
    barrier = threading.Barrier(2)

    def worker(order):
        try:
            barrier.wait()
            for pk in order:
                send_email.call_local(pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(o,)) for o in (ids, list(reversed(ids)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Message {i}" for i in range(60))
    assert len(hook_calls) == 60
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {(OutgoingEmail.Status.SENT, 1)}
