"""notify() honours each person's preference: an immediate e-mail is one outbox row, sent
after the commit; a daily one waits for the digest; "platform only" writes no e-mail. A
notification counts as e-mailed only once its e-mail has been sent."""

import pytest
from django.core import mail

from tests.factories import UserFactory
from tests.outbox.backends import REFUSING
from tpj.notifications import emails
from tpj.notifications.kinds import Delivery
from tpj.notifications.models import Notification, NotificationPreference
from tpj.notifications.services import notify
from tpj.outbox.models import OutgoingEmail

from .conftest import NEWS, PING, SEEN

pytestmark = pytest.mark.django_db


def _notify(users, kind=PING, **overrides):
    return notify(
        kind, users, **{"target": UserFactory(), "title": "Un essai est lancé", "url": "/annuaire/", "may_see": SEEN, **overrides}
    )


def test_immediate_writes_one_e_mail_and_counts_it_e_mailed_once_sent(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://1000jours.example"
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = _notify([user], url="/annuaire/fiches/7/")
        message = OutgoingEmail.objects.get()
        assert message.purpose == emails.IMMEDIATE and row.email == message
        assert row.emailed_at is None and mail.outbox == []  # nothing is sent before the commit
    message.refresh_from_db()
    row.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT
    assert row.emailed_at == message.sent_at and row.delivery == Delivery.IMMEDIATE
    (sent,) = mail.outbox
    assert sent.to == [user.email] and "https://1000jours.example/annuaire/fiches/7/" in sent.body


def test_an_immediate_e_mail_that_fails_leaves_the_notification_not_e_mailed(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    settings.OUTBOX_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = _notify([UserFactory()])
    row.refresh_from_db()
    assert row.email.status == OutgoingEmail.Status.FAILED and row.emailed_at is None


def test_each_person_is_told_as_they_chose(django_capture_on_commit_callbacks):
    default, daily, platform = UserFactory(), UserFactory(), UserFactory()
    NotificationPreference.objects.create(user=daily, kind=PING, delivery=Delivery.DAILY)
    NotificationPreference.objects.create(user=platform, kind=PING, delivery=Delivery.PLATFORM)
    NotificationPreference.objects.create(user=default, kind=NEWS, delivery=Delivery.PLATFORM)  # another kind
    with django_capture_on_commit_callbacks(execute=True):
        rows = _notify([default, daily, platform])
    assert {r.recipient: r.delivery for r in rows} == {
        default: Delivery.IMMEDIATE,
        daily: Delivery.DAILY,
        platform: Delivery.PLATFORM,
    }
    assert [m.to for m in mail.outbox] == [[default.email]]
    assert OutgoingEmail.objects.count() == 1
    assert list(Notification.objects.awaiting_digest().values_list("recipient", flat=True)) == [daily.pk]


def test_a_kind_whose_default_is_the_digest_writes_no_e_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = _notify([UserFactory()], kind=NEWS)
    assert row.delivery == Delivery.DAILY and row.email is None
    assert not OutgoingEmail.objects.exists() and mail.outbox == []


def test_nobody_is_told_of_what_they_may_not_see_nor_of_their_own_action():
    hidden, actor, told = UserFactory(last_name="Caché"), UserFactory(), UserFactory()
    rows = _notify([hidden, actor, told, told], actor=actor)
    assert [r.recipient for r in rows] == [told]
