"""The training search on a phone (375 pixels): the filters folded behind « Filtrer (n) », n the
filters in use, so that the sessions found come within the first screen; the filters open on a
tap, filled in; without JavaScript they are shown. On a desktop the filters are shown and the
button hidden. Screenshots in var/screenshots/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 375, "height": 667}
SEARCH = "/formations/?theme=1&region=53"


@pytest.fixture
def offers(transactional_db):
    from tests.training.factories import published_offer

    for town in ("Brest", "Quimper", "Vannes"):
        published_offer(title=f"Éveil au langage, groupe de {town}")


def test_training_search_on_a_phone(page, live_server, axe_check, offers):
    page.route("**/tiles/**", lambda route: route.abort())
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{SEARCH}")

    summary = page.locator("#filtres-repli > summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Filtrer (2)")
    expect(page.get_by_label("Recherche libre")).to_be_hidden()
    results = page.locator("#resultats")
    expect(results).to_contain_text("3 sessions trouvées")
    page.screenshot(path=str(SCREENSHOTS / "formation-telephone-replie-375.png"))
    box = results.bounding_box()
    assert box and box["y"] < PHONE["height"], f"les résultats commencent à {box and box['y']:.0f} px"
    axe_check(page, "recherche de formations à 375 px, filtres repliés")

    summary.click()
    expect(page.get_by_label("Recherche libre")).to_be_visible()
    expect(page.locator("#f-region")).to_have_value("53")
    expect(page.locator("#f-theme-1")).to_be_checked()
    page.screenshot(path=str(SCREENSHOTS / "formation-telephone-filtres-375.png"))
    axe_check(page, "recherche de formations à 375 px, filtres ouverts")
    page.get_by_label("Recherche libre").fill("Quimper")
    page.locator("#filtres").get_by_role("button", name="Rechercher").click()
    expect(page.locator("#filtres-repli > summary")).to_contain_text("Filtrer (3)")
    expect(page.locator("#resultats")).to_contain_text("1 session trouvée")
    assert page.evaluate("document.documentElement.scrollWidth <= 375")


def test_training_search_on_a_phone_without_javascript(browser, live_server, offers):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}{SEARCH}")
    expect(page.get_by_label("Recherche libre")).to_be_visible()  # served open
    context.close()


def test_training_search_on_a_desktop_shows_its_filters(page, live_server, offers):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{SEARCH}")
    expect(page.get_by_label("Recherche libre")).to_be_visible()
    expect(page.locator("#filtres-repli > summary")).to_be_hidden()
