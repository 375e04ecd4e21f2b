"""The directory on a phone (375 pixels): the map, or the list, within the first screen; the
filters folded behind « Filtrer (n) », n the filters in use; a list/map switch; the page's own
scroll only; and, without JavaScript, filters and switch still usable. On a desktop nothing
changes: the filters shown, the map beside its list. Screenshots in var/screenshots/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 375, "height": 667}


@pytest.fixture
def entries(transactional_db):
    from tests.registry.factories import verified_entry
    from tpj.nomenclatures.models import Category
    from tpj.territories.models import Commune

    creche = Category.objects.get(slug="creche")
    for n in range(1, 8):
        verified_entry(name=f"Crèche des Lutins {n}", category=creche, commune=Commune.objects.get(insee_code="35238"))
    verified_entry(name="PMI du Capitole", commune=Commune.objects.get(insee_code="31555"))


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def within_first_screen(page, selector):
    box = page.locator(selector).bounding_box()
    assert box and box["height"] > 100, f"{selector} : absent ou écrasé ({box})"
    assert box["y"] + 100 < page.viewport_size["height"], f"{selector} commence à {box['y']:.0f} px, hors du premier écran"


def nested_scroll_boxes(page):
    """The elements of the results that scroll on their own (overflow auto or scroll)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#resultats, #resultats *')]
            .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight)
            .map(e => e.className)"""
    )


def test_directory_on_a_phone(page, live_server, axe_check, entries):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/annuaire/?categorie=creche&region=53")

    # The filters are folded behind one button that says how many are in use.
    summary = page.locator("#filtres-repli > summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Filtrer (2)")
    expect(page.get_by_label("Recherche libre")).to_be_hidden()
    # The map comes first, within the first screen, drawn over France.
    expect(page.locator("#carte .leaflet-outlines-pane path").nth(17)).to_be_attached()
    expect(page.locator("#resultats")).to_be_hidden()
    within_first_screen(page, "#carte")
    shoot(page, "annuaire-telephone-carte-375")
    axe_check(page, "annuaire à 375 px, la carte")

    # The list instead of the map: the page scrolls, not a box inside it.
    page.locator("label[for=vue-liste]").click()
    expect(page.locator("#carte")).to_be_hidden()
    expect(page.locator("#resultats")).to_contain_text("7 fiches vérifiées")
    within_first_screen(page, "#resultats")
    assert not nested_scroll_boxes(page)
    shoot(page, "annuaire-telephone-liste-375")

    # Back to the map, which measures itself again and still shows its counts.
    page.locator("label[for=vue-carte]").click()
    expect(page.locator("#carte .registry-count").first).to_be_visible()

    # « Filtrer (2) » opens the filters, filled in; a third one narrows the list.
    summary.click()
    expect(page.get_by_label("Recherche libre")).to_be_visible()
    expect(page.locator("#f-region")).to_have_value("53")
    shoot(page, "annuaire-telephone-filtres-375")
    axe_check(page, "annuaire à 375 px, les filtres ouverts")
    page.get_by_label("Recherche libre").fill("Lutins 3")
    page.locator("#filtres").get_by_role("button", name="Filtrer").click()
    expect(page.locator("#filtres-repli > summary")).to_contain_text("Filtrer (3)")
    page.locator("label[for=vue-liste]").click()
    expect(page.locator("#resultats")).to_contain_text("Crèche des Lutins 3")
    assert not [e for e in page.console_errors if "Failed to load resource" not in e]


def test_directory_on_a_phone_without_javascript(browser, live_server, entries):
    context = browser.new_context(locale="fr-FR", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/annuaire/?region=53")
    # The filters are shown open and usable; the button still folds them (a native <details>).
    expect(page.locator("#filtres-repli > summary")).to_contain_text("Filtrer (1)")
    page.get_by_label("Recherche libre").fill("Lutins 5")
    page.locator("#filtres").get_by_role("button", name="Filtrer").click()
    expect(page.locator("#filtres-repli > summary")).to_contain_text("Filtrer (2)")
    page.locator("#filtres-repli > summary").click()
    expect(page.get_by_label("Recherche libre")).to_be_hidden()
    # The list/map switch is read by CSS alone.
    page.locator("label[for=vue-liste]").click()
    expect(page.locator("#resultats")).to_contain_text("Crèche des Lutins 5")
    within_first_screen(page, "#resultats")
    assert not nested_scroll_boxes(page)
    shoot(page, "annuaire-telephone-sans-javascript-375")
    context.close()


def test_directory_on_a_desktop_is_unchanged(page, live_server, entries):
    page.goto(f"{live_server.url}/annuaire/?categorie=creche")
    # The filters shown, no « Filtrer (n) » button nor switch; the map beside its list.
    expect(page.get_by_label("Recherche libre")).to_be_visible()
    expect(page.locator("#filtres-repli > summary")).to_be_hidden()
    expect(page.locator(".registry-switch")).to_be_hidden()
    map_box, list_box = page.locator("#carte").bounding_box(), page.locator("#resultats").bounding_box()
    assert list_box["x"] > map_box["x"] + map_box["width"] - 1
    assert abs(list_box["y"] - map_box["y"]) < 80
    shoot(page, "annuaire-bureau-1280")
