"""« Mes notifications »: only one's own, newest first, opened (read) to their page — a page
of this site only — all marked read at once, filtered, paginated."""

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tpj.notifications.models import Notification

from .conftest import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = "/mon-espace/notifications/"


def _open(pk):
    return f"/mon-espace/notifications/{pk}/ouvrir/"


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_a_visitor_is_sent_to_the_login_page(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/comptes/")


def test_the_list_shows_only_my_notifications_newest_first_the_unread_marked(client, user):
    old = NotificationFactory(recipient=user, title="Ancienne, lue", read_at=timezone.now())
    new = NotificationFactory(recipient=user, title="Nouvelle, non lue", body="Motif : pièce manquante.")
    NotificationFactory(title="Celle d'une autre personne")
    html = client.get(LIST).content.decode()
    assert html.index("Nouvelle, non lue") < html.index("Ancienne, lue")
    assert "Celle d'une autre personne" not in html
    assert html.count(">Non lue</span>") == 1 and "Motif : pièce manquante." in html
    assert f'href="{_open(new.pk)}"' in html and f'href="{_open(old.pk)}"' in html
    assert "1 notification non lue." in html


def test_the_filter_keeps_the_unread_ones_and_says_when_there_is_none(client, user):
    NotificationFactory(recipient=user, title="Lue", read_at=timezone.now())
    NotificationFactory(recipient=user, title="À lire")
    html = client.get(LIST, {"non-lues": "1"}).content.decode()
    assert "À lire" in html and ">Lue<" not in html
    Notification.objects.update(read_at=timezone.now())
    html = client.get(LIST, {"non-lues": "1"}).content.decode()
    assert "Aucune notification non lue." in html and "Vous avez tout lu." in html


def test_an_empty_list_says_so_in_french(client, user):
    html = client.get(LIST).content.decode()
    assert "Vous n'avez aucune notification pour le moment." in html
    assert "Tout marquer comme lu" not in html


def test_the_list_is_paginated(client, user):
    NotificationFactory.create_batch(25, recipient=user)
    first = client.get(LIST)
    assert len(first.context["notifications"]) == 20 and 'class="fr-pagination"' in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert len(second.context["notifications"]) == 5


def test_opening_marks_read_and_leads_to_the_page(client, user):
    notification = NotificationFactory(recipient=user, url="/annuaire/fiches/12/?onglet=membres")
    response = client.get(_open(notification.pk))
    assert response.status_code == 302 and response["Location"] == "/annuaire/fiches/12/?onglet=membres"
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None
    client.get(_open(notification.pk))  # opened again: still read, at the first time
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_another_persons_notification_is_not_found_and_stays_unread(client, user):
    theirs = NotificationFactory()
    assert client.get(_open(theirs.pk)).status_code == 404
    assert client.get(_open(999_999)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "url",
    ["https://hameconnage.example/", "//hameconnage.example/", "/\\hameconnage.example", "javascript:alert(1)", "annuaire/", ""],
)
def test_a_notification_never_leads_outside_the_site(client, user, url):
    notification = NotificationFactory(recipient=user, url=url)
    response = client.get(_open(notification.pk), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "Cette notification ne mène à aucune page de la plateforme." in response.content.decode()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read_reads_only_mine_and_says_how_many(client, user):
    NotificationFactory.create_batch(2, recipient=user)
    theirs = NotificationFactory()
    assert client.get("/mon-espace/notifications/tout-marquer-comme-lu/").status_code == 405
    response = client.post("/mon-espace/notifications/tout-marquer-comme-lu/", follow=True)
    assert "2 notifications marquées comme lues." in response.content.decode()
    assert not Notification.objects.for_user(user).unread().exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post("/mon-espace/notifications/tout-marquer-comme-lu/", follow=True)
    assert "Toutes vos notifications étaient déjà lues." in response.content.decode()


def test_mark_all_read_needs_the_csrf_token(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    NotificationFactory(recipient=user)
    assert client.post("/mon-espace/notifications/tout-marquer-comme-lu/").status_code == 403
    assert Notification.objects.for_user(user).unread().count() == 1
