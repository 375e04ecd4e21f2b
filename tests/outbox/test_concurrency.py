"""Two dispatchers on one message at the same instant (PostgreSQL row locks): sent once."""

import pytest
from django.core import mail

from tests.reliability.test_concurrency import ON_POSTGRES, in_parallel
from tpj.outbox import services
from tpj.outbox.models import OutgoingEmail

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (row locks and real concurrent transactions)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("dispatchers", [2, 8])
def test_a_message_dispatched_in_parallel_is_sent_once(hook_calls, settings, dispatchers):
    settings.OUTBOX_DISPATCHER = "tests.outbox.test_services.no_dispatch"
    message = services.enqueue("tests.ping", to="porteur@example.fr", subject="Une fois", body="Texte")
    outcomes = in_parallel(lambda: services.send(message.pk), [()] * dispatchers)
    sent = [m for status, m in outcomes if status == "ok" and m is not None]
    assert len(sent) == 1 and len(mail.outbox) == 1 and len(hook_calls) == 1, outcomes
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 1
