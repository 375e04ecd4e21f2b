"""Staff read notifications and preferences in the administration, and change nothing there."""

import pytest

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.notifications.kinds import Delivery
from tpj.notifications.models import Notification, NotificationPreference

from .conftest import PING, NotificationFactory

pytestmark = pytest.mark.django_db


def test_notifications_and_preferences_are_read_only_in_the_admin(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    notification = NotificationFactory(title="Fiche soumise à vérification")
    preference = NotificationPreference.objects.create(user=notification.recipient, kind=PING, delivery=Delivery.DAILY)
    listing = client.get("/admin/notifications/notification/")
    assert listing.status_code == 200 and "Fiche soumise à vérification" in listing.content.decode()
    assert "Essais — Un essai est lancé" in listing.content.decode()
    assert client.get(f"/admin/notifications/notification/{notification.pk}/change/").status_code == 200
    assert client.get("/admin/notifications/notification/add/").status_code == 403
    assert client.post(f"/admin/notifications/notification/{notification.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/notifications/notificationpreference/").status_code == 200
    assert client.post(f"/admin/notifications/notificationpreference/{preference.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Notification.objects.filter(pk=notification.pk).exists()
