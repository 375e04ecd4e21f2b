"""Projetothèque (list and map in sync, filters, permalink, coup de cœur) and national dashboard,
in a real Chromium, with axe-core scans (no serious or critical violation)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def journey_data(transactional_db):
    from tests.calls.factories import manager
    from tests.factories import user_with_role
    from tests.registry.factories import verified_entry
    from tests.valorisation.factories import laureate
    from tpj.accounts.models import Role
    from tpj.territories.models import Commune

    laureate("53", title="Café des parents de Brest", axes=(3,), places=("29019",))
    laureate("76", title="Répit parental à Toulouse", axes=(3, 6), places=("31555",))
    laureate("84", title="Projet lyonnais non transmis", places=("69123",), transmitted=False)
    verified_entry(name="Crèche des Lutins", commune=Commune.objects.get(insee_code="35238"))
    user_with_role(Role.NATIONAL_TEAM, email="nationale@example.fr")
    return {"manager": manager("ARS", "53").email}


def test_projetotheque_and_dashboard_journey(page, live_server, settings, login, axe_check, journey_data):
    settings.MAP_TILES_URL = ""  # no network in tests: markers are drawn without a base map

    # A visitor browses the projetothèque: list and map show the same transmitted projects.
    page.goto(f"{live_server.url}/valorisation/projets/")
    assert page.locator("h1").inner_text().startswith("Projetothèque")
    expect(page.locator("#projects-map .tpj-project-marker-icon")).to_have_count(2)
    assert page.locator("[data-project]").count() == 2
    assert "non transmis" not in page.content()
    axe_check(page, "projetothèque")

    # Filtering by région narrows both, and the URL is a permalink.
    page.select_option("#f-region", "53")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**region=53**")
    expect(page.locator("#projects-map .tpj-project-marker-icon")).to_have_count(1)
    assert page.locator("[data-project]").count() == 1
    permalink = page.url
    page.goto(permalink)
    assert page.locator("[data-project]").count() == 1

    # "Voir sur la carte" opens the marker's popup; the project page shows its details.
    page.get_by_role("button", name="Voir sur la carte").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Café des parents de Brest" in popup.inner_text()
    popup.get_by_role("link").click()
    page.wait_for_url("**/valorisation/projets/*/")
    assert "CAF — Fonds national Parentalité" in page.content()
    axe_check(page, "fiche projet")

    # The Bretagne call manager makes it the région's coup de cœur.
    login(page, live_server, journey_data["manager"])
    page.reload()
    page.get_by_role("button", name="Choisir comme coup de cœur de la région").click()
    assert "est le coup de cœur Bretagne 2021" in page.locator(".fr-alert").inner_text()

    # The national team reads the dashboard: tables, chart, map coloured by the chosen indicator.
    page.context.clear_cookies()
    login(page, live_server, "nationale@example.fr")
    page.goto(f"{live_server.url}/valorisation/tableau-de-bord/")
    assert page.locator("h1").inner_text() == "Tableau de bord national"
    assert page.locator("table").first.locator("tbody tr").count() == 18
    assert page.locator("svg[role=img]").count() >= 1
    expect(page.locator("#dashboard-map path.leaflet-interactive")).to_have_count(18)
    page.select_option("#map-level", "departements")
    expect(page.locator("#dashboard-map path.leaflet-interactive")).to_have_count(101)
    page.select_option("#map-indicator", "backlog")
    axe_check(page, "tableau de bord")
    assert not page.console_errors, page.console_errors
