"""A person's notifications and preferences are theirs: in their data export, in the
register of personal data, and gone with their account — nobody else's touched."""

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tpj.notifications.kinds import Delivery
from tpj.notifications.models import Notification, NotificationPreference
from tpj.privacy import services as privacy
from tpj.privacy.register import REGISTER, register_rows

from .conftest import PING, NotificationFactory

pytestmark = pytest.mark.django_db


def test_the_export_holds_my_notifications_and_preferences_only():
    user, other = UserFactory(), UserFactory()
    NotificationFactory(recipient=user, title="Votre fiche est vérifiée", read_at=timezone.now())
    NotificationFactory(recipient=other, title="Celle d'une autre personne")
    NotificationPreference.objects.create(user=user, kind=PING, delivery=Delivery.DAILY)
    NotificationPreference.objects.create(user=other, kind=PING, delivery=Delivery.PLATFORM)
    data = privacy.export_user_data(user)
    assert [n["title"] for n in data["notifications"]] == ["Votre fiche est vérifiée"]
    assert data["notifications"][0]["read_at"] is not None
    assert data["preferences_de_notification"] == [{"kind": PING, "delivery": Delivery.DAILY}]


def test_the_register_names_the_notifications():
    assert "notifications.Notification.title" in REGISTER
    assert "notifications.NotificationPreference.delivery" in REGISTER
    holders = {row.holder for row in register_rows()}
    assert {"Notification", "Préférence de notification"} <= holders


def test_deleting_the_account_deletes_its_notifications_and_preferences_and_no_one_elses():
    user, other = UserFactory(), UserFactory()
    NotificationFactory.create_batch(2, recipient=user)
    told_of_user = NotificationFactory(recipient=other, actor=user, title="Une action de la personne partie")
    NotificationPreference.objects.create(user=user, kind=PING, delivery=Delivery.DAILY)
    NotificationPreference.objects.create(user=other, kind=PING, delivery=Delivery.PLATFORM)
    privacy.delete_account(user)
    assert not Notification.objects.filter(recipient=user).exists()
    assert not NotificationPreference.objects.filter(user=user).exists()
    assert list(Notification.objects.all()) == [told_of_user]
    told_of_user.refresh_from_db()
    assert told_of_user.read_at is None and told_of_user.title == "Une action de la personne partie"
    assert list(NotificationPreference.objects.values_list("user", "delivery")) == [(other.pk, Delivery.PLATFORM)]
