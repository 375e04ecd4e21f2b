"""The daily digest: one e-mail per person listing what awaited it, written once, at 07:00
Paris time; its notifications count as e-mailed only once it has been sent, and a digest
that fails stays in the outbox for staff without being written again."""

import datetime

import pytest
from django.core import mail

from tests.factories import UserFactory
from tests.outbox.backends import REFUSING
from tpj.notifications import emails, services, tasks
from tpj.notifications.kinds import Delivery
from tpj.notifications.models import Notification
from tpj.outbox import services as outbox
from tpj.outbox.models import OutgoingEmail

from .conftest import NotificationFactory

pytestmark = pytest.mark.django_db


def _daily(user, **kwargs):
    return NotificationFactory(recipient=user, delivery=Delivery.DAILY, **kwargs)


def _digests():
    return OutgoingEmail.objects.filter(purpose=emails.DAILY_DIGEST)


def test_one_digest_per_person_listing_titles_and_absolute_links(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://1000jours.example"
    alice, bruno, carole = UserFactory(first_name="Alice"), UserFactory(), UserFactory()
    _daily(alice, title="Fiche « Crèche des Lutins » soumise", url="/annuaire/fiches/1/")
    _daily(alice, title="Candidature « Ateliers » déposée", url="/appels-a-projets/candidatures/2/")
    _daily(bruno, title="Une seule nouvelle")
    NotificationFactory(recipient=carole, delivery=Delivery.PLATFORM)
    NotificationFactory(recipient=carole, delivery=Delivery.IMMEDIATE)
    _daily(UserFactory(is_active=False))  # a suspended account gets nothing

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_daily_digests.call_local() is None
    assert _digests().count() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {alice.email, bruno.email}
    letter = by_recipient[alice.email]
    assert letter.subject == "[1000 premiers jours] Votre récapitulatif du jour : 2 notifications"
    assert "Bonjour Alice," in letter.body
    assert "Fiche « Crèche des Lutins » soumise\n  https://1000jours.example/annuaire/fiches/1/" in letter.body
    assert "https://1000jours.example/appels-a-projets/candidatures/2/" in letter.body
    assert "https://1000jours.example/mon-espace/notifications/preferences/" in letter.body
    assert "&laquo;" not in letter.body and "&#x27;" not in letter.body
    assert by_recipient[bruno.email].subject.endswith(": 1 notification")
    assert "la notification que vous avez reçue" in by_recipient[bruno.email].body


def test_nothing_is_sent_twice_and_e_mailed_only_once_sent(django_capture_on_commit_callbacks):
    user = UserFactory()
    rows = [_daily(user), _daily(user)]
    assert services.send_daily_digests() == 1  # written; its sending waits for the commit
    assert services.send_daily_digests() == 0  # a second run finds the rows taken
    (digest,) = _digests()
    assert all(Notification.objects.get(pk=r.pk).email == digest for r in rows)
    assert not Notification.objects.filter(emailed_at__isnull=False).exists() and mail.outbox == []

    assert outbox.send(digest) is not None  # the worker's sending
    digest.refresh_from_db()
    assert set(Notification.objects.values_list("emailed_at", flat=True)) == {digest.sent_at}
    assert len(mail.outbox) == 1

    later = _daily(user, title="Arrivée après le récapitulatif")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_daily_digests() == 1
    assert _digests().count() == 2 and len(mail.outbox) == 2
    assert "Arrivée après le récapitulatif" in mail.outbox[1].body and rows[0].title not in mail.outbox[1].body
    later.refresh_from_db()
    assert later.emailed_at is not None


def test_a_failed_digest_stays_for_staff_and_is_not_written_again(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    settings.OUTBOX_MAX_ATTEMPTS = 1
    user = UserFactory()
    row = _daily(user)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_daily_digests()
    (digest,) = _digests().failed()
    row.refresh_from_db()
    assert row.email == digest and row.emailed_at is None
    assert services.send_daily_digests() == 0  # the next morning: still the failed one's, not duplicated

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry(digest)  # staff's « Renvoyer »
    row.refresh_from_db()
    assert row.emailed_at is not None and len(mail.outbox) == 1


def test_a_digest_whose_rows_another_run_took_meanwhile_is_not_written(monkeypatch):
    """The claim: on SQLite (no row lock) the rows are taken only if no other digest took them."""
    user = UserFactory()
    first, second = _daily(user), _daily(user)
    elsewhere = outbox.enqueue(emails.DAILY_DIGEST, to=user.email, subject="Autre", body="Autre")
    enqueue = services.outbox.enqueue

    def racing_enqueue(*args, **kwargs):
        message = enqueue(*args, **kwargs)
        Notification.objects.filter(pk=second.pk).update(email=elsewhere)  # the other run, between
        return message

    monkeypatch.setattr(services.outbox, "enqueue", racing_enqueue)
    assert services.write_digest(user.pk) is False
    assert list(_digests()) == [elsewhere]  # ours was rolled back with its claim
    first.refresh_from_db()
    assert first.email is None  # left for the next digest


@pytest.mark.parametrize(
    "utc, runs",
    [
        (datetime.datetime(2026, 1, 15, 6, 0), True),  # winter: 07:00 in Paris is 06:00 UTC
        (datetime.datetime(2026, 7, 15, 5, 0), True),  # summer: 05:00 UTC
        (datetime.datetime(2026, 1, 15, 7, 0), False),
        (datetime.datetime(2026, 7, 15, 6, 0), False),
        (datetime.datetime(2026, 1, 15, 6, 1), False),
    ],
)
def test_the_digest_goes_out_at_seven_in_paris(utc, runs):
    assert tasks.at_seven_in_paris(utc) is runs
