"""Register → moderate → visible on the map, in a real Chromium, with axe scans."""

import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"

if not Path(CHROMIUM).exists():
    pytest.skip("Chromium absent", allow_module_level=True)

_shared = Path(__file__).with_name("conftest.py")
if not (_shared.exists() and "def page" in _shared.read_text()):
    # Fallback until the shared browser fixtures exist: one Chromium page per test.
    @pytest.fixture
    def page(live_server):
        from playwright.sync_api import sync_playwright

        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            context = browser.new_context(locale="fr-FR")
            yield context.new_page()
            browser.close()


def sign_in(page, live_server, user):
    """Put a session cookie for `user` in the browser (no password form to drive)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


def assert_accessible(page, label):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, f"{label}: " + "; ".join(f"{v['id']} ({len(v['nodes'])})" for v in serious)


@pytest.mark.django_db(transaction=True)
def test_register_moderate_visible_on_map(page, live_server, settings):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MAP_TILES_URL = ""  # no network: the map must still show territory counts
    from tests.factories import UserFactory, user_with_role
    from tpj.accounts.models import Role

    member = UserFactory(email="creche@example.fr")
    moderator = user_with_role(Role.MODERATOR, departements=["35"], email="moderation35@example.fr")

    # 1. Register and submit.
    sign_in(page, live_server, member)
    page.goto(f"{live_server.url}/annuaire/inscrire/?categorie=creche")
    assert page.locator("#id_priorites-p8").is_checked()  # suggested by the category, not forced
    assert not page.locator("#id_priorites-p2").is_checked()
    assert_accessible(page, "formulaire d'inscription")
    page.select_option("#id_fiche-kind", label="Établissement ou service")
    page.fill("#id_fiche-name", "Crèche Les Hirondelles")
    page.fill("#id_fiche-address", "4 rue de Brest")
    page.fill("#id_fiche-postal_code", "35000")
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
    sign_in(page, live_server, moderator)
    page.goto(f"{live_server.url}/annuaire/moderation/")
    assert_accessible(page, "file de modération")
    page.get_by_role("link", name="Crèche Les Hirondelles").click()
    assert_accessible(page, "fiche à modérer")
    page.get_by_role("button", name="Vérifier et publier").click()
    page.wait_for_url(re.compile(r"/annuaire/moderation/$"))

    # 3. Visible to anyone in the list and on the map (territory counts, no tiles).
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/annuaire/?region=53")
    assert page.get_by_role("link", name="Crèche Les Hirondelles").is_visible()
    marker = page.locator(".registry-count--territory").first
    marker.wait_for()
    assert marker.inner_text().strip() == "1"
    assert_accessible(page, "annuaire et carte")
    page.get_by_role("link", name="Crèche Les Hirondelles").click()
    assert page.get_by_text("Accueil des 0-3 ans").is_visible()
    assert page.get_by_text("monenfant.fr").first.is_visible()
