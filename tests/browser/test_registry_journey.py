"""Register → moderate → visible on the map, in a real Chromium, with axe scans.

Uses the shared fixtures of tests/browser/conftest.py (page, login, axe_check)."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_register_moderate_visible_on_map(page, live_server, login, axe_check, settings):
    settings.MAP_TILES_URL = ""  # no network: the map must still show territory counts
    from tests.factories import UserFactory, user_with_role
    from tpj.accounts.models import Role

    member = UserFactory(email="creche@example.fr")
    moderator = user_with_role(Role.MODERATOR, departements=["35"], email="moderation35@example.fr")

    # 1. Register and submit.
    login(page, live_server, member.email)
    page.goto(f"{live_server.url}/annuaire/inscrire/?categorie=creche")
    assert page.locator("#id_priorites-p8").is_checked()  # suggested by the category, not forced
    assert not page.locator("#id_priorites-p2").is_checked()
    axe_check(page, "formulaire d'inscription")
    page.select_option("#id_fiche-kind", label="Établissement ou service")
    page.fill("#id_fiche-name", "Crèche Les Hirondelles")
    page.fill("#id_fiche-address", "4 rue de Brest")
    page.fill("#id_fiche-postal_code", "35000")
    page.locator("#id_fiche-commune").press_sequentially("Renne")
    # The autocomplete fills the datalist under the production CSP (no eval).
    page.locator("#commune-options option[value='35238']").wait_for(state="attached")
    page.fill("#id_fiche-commune", "35238")
    page.fill("#id_priorites-p8_description", "Accueil des 0-3 ans et ateliers d'éveil avec les parents.")
    page.select_option("#id_situations-0-situation", index=4)
    page.fill("#id_situations-0-trusting_body_name", "Département d'Ille-et-Vilaine (PMI)")
    page.select_option("#id_situations-0-trusting_body_kind", "collectivite")
    page.select_option("#id_situations-0-reference_type", "agrement")
    page.fill("#id_situations-0-reference_value", "EAJE-35-2025-001")
    page.get_by_role("button", name="Enregistrer et soumettre à vérification").click()
    page.wait_for_url(re.compile(r"/annuaire/fiches/\d+/$"), timeout=10_000)
    assert page.get_by_text("En attente de vérification").first.is_visible()

    # 2. Moderate.
    page.context.clear_cookies()
    login(page, live_server, moderator.email)
    page.goto(f"{live_server.url}/annuaire/moderation/")
    axe_check(page, "file de modération")
    page.get_by_role("link", name="Crèche Les Hirondelles").click()
    axe_check(page, "fiche à modérer")
    page.get_by_role("button", name="Vérifier et publier").click()
    page.wait_for_url(re.compile(r"/annuaire/moderation/$"))

    # 3. Visible to anyone in the list and on the map (territory counts, no tiles).
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/annuaire/?region=53")
    assert page.get_by_role("link", name="Crèche Les Hirondelles").is_visible()
    marker = page.locator(".registry-count--territory").first
    marker.wait_for()
    assert marker.inner_text().strip() == "1"
    axe_check(page, "annuaire et carte")
    page.get_by_role("link", name="Crèche Les Hirondelles").click()
    assert page.get_by_text("Accueil des 0-3 ans").is_visible()
    assert page.get_by_text("monenfant.fr").first.is_visible()
    assert not page.console_errors, page.console_errors
