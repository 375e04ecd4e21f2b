"""The three maps with every tile request refused (as on a ministry network): France, its
régions and their names are drawn from the site's own outlines, at 1280 and 375 pixels;
screenshots kept in var/screenshots/ as test artifacts; no serious or critical axe-core
violation."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = (1280, 375)


@pytest.fixture
def maps_data(transactional_db):
    from tests.factories import user_with_role
    from tests.registry.factories import verified_entry
    from tests.valorisation.factories import laureate
    from tpj.accounts.models import Role
    from tpj.territories.models import Commune
    from tpj.valorisation import coverage
    from tpj.valorisation.models import Highlight

    brest = laureate("53", title="Café des parents de Brest", axes=(3,), places=("29019",))
    Highlight.objects.create(region_id="53", year=brest.call.campaign.year, application=brest)  # Bretagne's coup de cœur
    laureate("76", title="Répit parental à Toulouse", axes=(3, 6), places=("31555",))
    # Four entries for Bretagne's 3.4 million inhabitants: « 0,1 » for 100 000; one elsewhere: « 0,0 ».
    places = [("35238", f"Crèche des Lutins {n}") for n in range(1, 5)] + [("31555", "PMI du Capitole")]
    for insee, name in places:
        verified_entry(name=name, commune=Commune.objects.get(insee_code=insee))
    coverage.refresh()  # the dashboard's registry figures, as the scheduled job computes them
    return user_with_role(Role.NATIONAL_TEAM, email="nationale@example.fr").email


def shows_france(page, map_selector, name):
    """The outlines are drawn (the 18 régions at least), named, with the insets of the
    régions d'outre-mer; then a screenshot of the map at the top of the window."""
    paths = page.locator(f"{map_selector} .leaflet-outlines-pane path")
    expect(paths.nth(17)).to_be_attached()
    assert paths.count() >= 18
    labels = page.locator(f"{map_selector} .tpj-outline-label")
    expect(labels.filter(has_text="Bretagne")).to_have_count(1)
    assert labels.count() >= 13
    expect(page.locator(f"{map_selector} + .tpj-insets .tpj-inset")).to_have_count(5)
    page.locator(map_selector).evaluate("element => element.scrollIntoView()")
    page.wait_for_timeout(300)
    width = page.viewport_size["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))


def count_under_name(page, count, name):
    """The territory's count is centred under its name, both at the shape's label point."""
    circle = page.locator("#carte .registry-count--territory", has_text=count).bounding_box()
    label = page.locator("#carte .tpj-outline-label span", has_text=name).first.bounding_box()
    label_x, label_y = label["x"] + label["width"] / 2, label["y"] + label["height"] / 2
    assert abs(circle["x"] + circle["width"] / 2 - label_x) < 3, (name, circle, label)
    assert 0 < circle["y"] - label_y < 20, (name, circle, label)


def script_errors(page):
    return [e for e in page.console_errors if "Failed to load resource" not in e]


@pytest.mark.parametrize("width", WIDTHS)
def test_maps_draw_france_without_tiles(page, live_server, settings, login, axe_check, maps_data, width):
    # The default tile server is configured: every tile request is refused by the page fixture.
    tiles = []
    page.on("requestfailed", lambda request: "tile" in request.url and tiles.append(request.url))
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/annuaire/")
    shows_france(page, "#carte", "annuaire")
    expect(page.locator(".registry-count--territory").first).to_be_visible()
    count_under_name(page, "4", "Bretagne")
    axe_check(page, f"annuaire à {width} px")
    if width == 1280:  # from zoom 7, the départements and their names (fetched then)
        for _ in range(2):
            page.get_by_role("button", name="Zoomer", exact=True).click()
            page.wait_for_timeout(400)
        expect(page.locator("#carte .tpj-outline-label--small").first).to_be_attached()
        expect(page.locator("#carte .tpj-outline-label", has_text="Bretagne")).to_have_count(0)
        # A click on Bretagne's count: its départements' counts, on their shapes.
        page.goto(f"{live_server.url}/annuaire/")
        page.locator("#carte .registry-count--territory", has_text="4").click()
        expect(page.locator("#carte-etat")).to_contain_text("par département")
        expect(page.locator("#carte .tpj-outline-label--small", has_text="Ille-et-Vilaine")).to_be_in_viewport()
        count_under_name(page, "4", "Ille-et-Vilaine")
        page.screenshot(path=str(SCREENSHOTS / "annuaire-departements-1280.png"))

    page.goto(f"{live_server.url}/valorisation/projets/")
    shows_france(page, "#projects-map", "projetotheque")
    expect(page.locator("#projects-map .tpj-project-marker-icon")).to_have_count(2)
    expect(page.locator("#projects-map .tpj-project-marker--coup-de-coeur")).to_have_count(1)
    expect(page.locator("#projects-map-legend")).to_contain_text("Coup de cœur de la région")
    axe_check(page, f"projetothèque à {width} px")

    login(page, live_server, maps_data)
    page.goto(f"{live_server.url}/valorisation/tableau-de-bord/")
    # The summary band first, with its five figures; a screenshot of the page's top.
    expect(page.locator("#chiffres-cles > li")).to_have_count(5)
    expect(page.locator("#chiffres-cles")).to_contain_text("2 lauréats")
    page.screenshot(path=str(SCREENSHOTS / f"tableau-de-bord-essentiel-{width}.png"))
    shows_france(page, "#dashboard-map", "tableau-de-bord")
    legend = page.locator("#dashboard-map-legend")
    expect(legend).to_contain_text("0,0")
    expect(legend).to_contain_text("0,1")
    # The CSV downloads say what they give.
    for label in ("Tableau par région (CSV)", "Tableau par département (CSV)"):
        box = page.get_by_role("link", name=label).bounding_box()
        assert box["width"] > 120, f"{label} : bouton sans texte visible ({box['width']} px)"
    axe_check(page, f"tableau de bord à {width} px")
    if width == 1280:  # a click on a région shows its départements
        page.locator("#dashboard-map path.leaflet-interactive").nth(12).click()  # 53, Bretagne
        expect(page.locator("#dashboard-map-status")).to_contain_text("Départements de la région Bretagne")
        expect(page.locator("#map-level")).to_have_value("departements")
        expect(page.locator("#dashboard-map path.leaflet-interactive")).to_have_count(101)
        page.wait_for_timeout(300)
        expect(page.locator("#dashboard-map-status")).to_contain_text("Départements de la région Bretagne")
        page.screenshot(path=str(SCREENSHOTS / "tableau-de-bord-bretagne-1280.png"))

    assert tiles, "the tile server was not even tried: the test would prove nothing"
    assert not script_errors(page)


def opened_card(page):
    card = page.locator("#projects-map .tpj-map-card")
    expect(card).to_have_count(1)
    expect(card).to_be_in_viewport()
    # Leaflet fades a popup in over 0.2 s: read (and scan) the card once it is fully opaque,
    # not while its text is still blended with the map behind it.
    expect(page.locator("#projects-map .leaflet-popup")).to_have_css("opacity", "1")
    return card


@pytest.mark.parametrize("width", WIDTHS)
def test_projetotheque_marker_and_list_entry_open_the_same_card(page, live_server, axe_check, maps_data, width):
    """A click on a marker opens the project's card; the list's « Voir sur la carte », and a
    marker reached with the keyboard, open the same card with the focus in it; Échap closes it
    and gives the focus back to the marker. Bretagne's coup de cœur has its own marker."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/valorisation/projets/")
    heart = page.locator("#projects-map .tpj-project-marker--coup-de-coeur")
    expect(heart).to_have_count(1)
    marker = page.get_by_role("button", name="Fiche du projet « Café des parents de Brest », coup de cœur de la région")
    marker.scroll_into_view_if_needed()
    marker.click()
    card = opened_card(page)
    expect(card.get_by_role("link", name="Café des parents de Brest")).to_have_attribute(
        "href", re.compile(r"/valorisation/projets/\d+/$")
    )
    expect(card).to_contain_text("Coup de cœur de la région")
    expect(card).to_contain_text("Bretagne")
    expect(card).to_contain_text("Axe 3")
    expect(card).not_to_contain_text("Axe 6")
    expect(page.locator("[data-project][aria-current=true]")).to_contain_text("Café des parents de Brest")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"projetotheque-fiche-{width}.png"))
    axe_check(page, f"projetothèque, fiche ouverte sur la carte à {width} px")
    card.get_by_role("button", name="Fermer la fiche").click()
    expect(page.locator("#projects-map .tpj-map-card")).to_have_count(0)

    # The keyboard's path from the list: the same card, the focus on its title.
    locate = page.locator("[data-project]", has_text="Répit parental à Toulouse").get_by_role("button", name="Voir sur la carte")
    locate.focus()
    page.keyboard.press("Enter")
    card = opened_card(page)
    title = card.get_by_role("link", name="Répit parental à Toulouse")
    expect(title).to_be_focused()
    expect(card).not_to_contain_text("Coup de cœur")
    expect(card).to_contain_text("Occitanie")
    expect(card).to_contain_text("Axe 6")
    page.keyboard.press("Escape")
    expect(page.locator("#projects-map .tpj-map-card")).to_have_count(0)
    toulouse = page.get_by_role("button", name="Fiche du projet « Répit parental à Toulouse »")
    expect(toulouse).to_be_focused()
    # The marker itself is a button: Entrée opens its card.
    page.keyboard.press("Enter")
    expect(opened_card(page).get_by_role("link", name="Répit parental à Toulouse")).to_be_focused()
    assert not script_errors(page)
