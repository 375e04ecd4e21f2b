"""Digests and preferences under real concurrency (PostgreSQL): two runs of the digest job
at the same instant write one digest; two tabs saving preferences at once never fail."""

import pytest
from django.core import mail

from tests.concurrency import CONCURRENT_ON_POSTGRES
from tests.factories import UserFactory
from tests.reliability.test_concurrency import in_parallel
from tpj.notifications import emails, services
from tpj.notifications.kinds import Delivery
from tpj.notifications.models import Notification, NotificationPreference
from tpj.outbox import delivery
from tpj.outbox.models import OutgoingEmail

from .conftest import NEWS, PING, NotificationFactory

pytestmark = CONCURRENT_ON_POSTGRES


@pytest.fixture
def unqueued(monkeypatch):
    """Digests written while no task sends them: the test looks at what was written."""
    monkeypatch.setattr(delivery, "queue", lambda pk: True)


@pytest.mark.parametrize("runs", [2, 4])
def test_runs_of_the_digest_job_at_the_same_instant_write_each_digest_once(unqueued, runs):
    people = UserFactory.create_batch(3)
    for person in people:
        NotificationFactory.create_batch(3, recipient=person, delivery=Delivery.DAILY)
    outcomes = in_parallel(services.send_daily_digests, [()] * runs)
    assert all(status == "ok" for status, _ in outcomes), outcomes
    assert sum(written for _, written in outcomes) == 3
    digests = OutgoingEmail.objects.filter(purpose=emails.DAILY_DIGEST)
    assert sorted(d.recipients[0] for d in digests) == sorted(p.email for p in people)
    for digest in digests:  # each lists its person's three notifications, none elsewhere
        assert Notification.objects.filter(email=digest).count() == 3
    assert not Notification.objects.awaiting_digest().exists() and mail.outbox == []


def test_two_tabs_saving_preferences_at_once_both_succeed(unqueued):
    user = UserFactory()
    choices = [
        ({PING: Delivery.DAILY, NEWS: Delivery.PLATFORM},),
        ({PING: Delivery.PLATFORM, NEWS: Delivery.IMMEDIATE},),
    ]
    for _ in range(5):
        NotificationPreference.objects.filter(user=user).delete()
        outcomes = in_parallel(lambda chosen: services.save_preferences(user, chosen), choices)
        assert [status for status, _ in outcomes] == ["ok", "ok"], outcomes
        rows = list(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
        assert len(rows) == 2 and dict(rows)[PING] in (Delivery.DAILY, Delivery.PLATFORM)  # one row per kind, a choice made
