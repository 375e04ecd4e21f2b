"""The bell in the header: the signed-in person's unread count, in one indexed query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tpj.notifications.models import Notification

from .conftest import NotificationFactory

pytestmark = pytest.mark.django_db


def _bell(html: str) -> str:
    start = html.index('id="cloche-notifications"')
    return html[start : html.index("</a>", start)]


def test_the_bell_says_how_many_notifications_are_unread_with_a_french_plural(client):
    user, other = UserFactory(), UserFactory()
    NotificationFactory.create_batch(3, recipient=user)
    NotificationFactory(recipient=user, read_at="2026-01-01T10:00:00+01:00")
    NotificationFactory.create_batch(2, recipient=other)
    client.force_login(user)
    bell = _bell(client.get("/").content.decode())
    assert 'href="/mon-espace/notifications/"' in bell
    assert 'Notifications<span class="fr-sr-only"> : 3 non lues</span>' in bell
    assert 'aria-hidden="true">3</span>' in bell

    two = Notification.objects.for_user(user).unread().values_list("pk", flat=True)[:2]
    Notification.objects.filter(pk__in=list(two)).update(read_at="2026-01-02T10:00:00+01:00")
    assert " : 1 non lue</span>" in _bell(client.get("/").content.decode())


def test_at_zero_the_bell_is_a_plain_link(client):
    client.force_login(UserFactory())
    bell = _bell(client.get("/").content.decode())
    assert bell.endswith(">Notifications")
    assert "fr-badge" not in bell and "non lue" not in bell


def test_a_visitor_has_no_bell(client):
    html = client.get("/").content.decode()
    assert "cloche-notifications" not in html and "Se connecter" in html


def _notification_queries(queries):
    return [q["sql"] for q in queries if f'"{Notification._meta.db_table}"' in q["sql"]]


def test_the_count_costs_one_query_and_nothing_for_a_visitor(client):
    user = UserFactory()
    NotificationFactory.create_batch(4, recipient=user)
    with CaptureQueriesContext(connection) as anonymous:
        assert client.get("/").status_code == 200
    assert _notification_queries(anonymous) == []

    client.force_login(user)
    with CaptureQueriesContext(connection) as signed_in:
        assert client.get("/mon-espace/notifications/preferences/").status_code == 200
    (count,) = _notification_queries(signed_in)  # the list page counts too: this one only draws the bell
    assert "COUNT(" in count.upper() and "read_at" in count and "IS NULL" in count.upper()
