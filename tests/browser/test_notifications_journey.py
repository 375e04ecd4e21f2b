"""The bell and « Mes notifications » in a real Chromium, at desktop and phone widths: the
count in the header, the list, a notification followed then counted read, axe scans.

Uses the shared fixtures of tests/browser/conftest.py (page, login, axe_check)."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_counts_then_a_followed_notification_is_read(page, live_server, login, axe_check, settings):
    settings.MAP_TILES_URL = ""  # no network
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import UserFactory
    from tpj.notifications.kinds import Delivery
    from tpj.notifications.models import Notification

    camille = UserFactory(email="camille.durand@example.fr", first_name="Camille", last_name="Durand")
    for minutes, title, url in [
        (30, "Fiche « Crèche Les Hirondelles » vérifiée", "/annuaire/"),
        (5, "Appel à projets « Éveil 2026 » publié", "/appels-a-projets/"),
    ]:
        row = Notification.objects.create(
            recipient=camille, kind="tests.journey", title=title, url=url, delivery=Delivery.PLATFORM
        )
        Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))

    login(page, live_server, camille.email)
    page.goto(f"{live_server.url}/")
    bell = page.get_by_role("link", name="Notifications : 2 non lues")
    assert bell.is_visible() and bell.locator(".fr-badge").inner_text() == "2"

    # The list at 1280 px: newest first, both unread.
    bell.click()
    page.wait_for_url(f"{live_server.url}/mon-espace/notifications/")
    assert page.get_by_role("heading", level=1).inner_text() == "Mes notifications"
    titles = page.locator("main .fr-raw-list .fr-link")
    assert titles.all_inner_texts() == ["Appel à projets « Éveil 2026 » publié", "Fiche « Crèche Les Hirondelles » vérifiée"]
    assert page.locator("main .fr-badge", has_text="Non lue").count() == 2
    axe_check(page, "notifications, 1280 px")

    # The same list on a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("main .fr-badge", has_text="Non lue").count() == 2
    axe_check(page, "notifications, 375 px")

    # Follow the newest: its page opens, and the bell (in the phone's menu) says one is left.
    titles.first.click()
    page.wait_for_url(f"{live_server.url}/appels-a-projets/")
    page.get_by_role("button", name="Menu").click()
    left = page.get_by_role("link", name=re.compile(r"^Notifications : 1 non lue$"))
    left.wait_for(state="visible")
    left.click()
    page.wait_for_url(f"{live_server.url}/mon-espace/notifications/")
    unread = page.locator("main .fr-raw-list li", has=page.locator(".fr-badge", has_text="Non lue"))
    assert unread.count() == 1 and "Crèche Les Hirondelles" in unread.inner_text()
    assert page.get_by_text("1 notification non lue.").is_visible()
    axe_check(page, "notifications après lecture, 375 px")
    assert page.console_errors == []
