"""Every notification of the demo opens its page for its recipient: a link never leads to a
POST-only address, a refusal or a missing page (a dead end found by following them in a browser)."""

import pytest
from django.test import Client

from tpj.notifications.models import Notification


@pytest.fixture
def demo(transactional_db):
    from django.apps import apps

    from tpj.demo.services import load_demo
    from tpj.valorisation.loader import load_measures
    from tpj.valorisation.models import Measure

    if not Measure.objects.exists():  # loaded by a data migration: gone after a flush
        load_measures(apps)
    return load_demo()


def test_every_demo_notification_opens_its_page_for_its_recipient(demo):
    notifications = list(Notification.objects.select_related("recipient").order_by("pk"))
    assert len({n.kind for n in notifications}) >= 10  # the demo tells the story of many kinds
    dead_ends = []
    for notification in notifications:
        client = Client()
        client.force_login(notification.recipient, backend="tpj.accounts.backends.EmailBackend")
        response = client.get(notification.url, follow=True)
        response.close()
        if response.status_code != 200 or "/comptes/connexion/" in response.request["PATH_INFO"]:
            dead_ends.append(f"{notification.kind} → {notification.url} : {response.status_code}")
    assert not dead_ends, "\n".join(dead_ends)


def test_the_past_campaign_s_notifications_are_dated_then_and_read_today_s_messages_are_not(demo):
    from tpj.calls.models import Call

    # the 2021 call and last year's (tpj/calls/demo_previous.py), jury.caf@ on both juries
    past = set(Call.objects.filter(state=Call.State.TRANSMITTED).values_list("transmitted_at", flat=True))
    jurors = Notification.objects.filter(recipient__email="jury.caf@demo.1000jours.fr")
    assert jurors.exists() and not jurors.unread().exists()  # « 3 dossiers à noter » of a jury that sat then
    assert {n.created_at for n in jurors} == past and len(past) == 2
    waiting = Notification.objects.filter(recipient__email="porteur@demo.1000jours.fr", kind="conversations.message")
    assert waiting.unread().count() == 1  # the ARS's question on the laureate project, to answer now
