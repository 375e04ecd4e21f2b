"""The foundation pages in a real Chromium: DSFR renders, no script error, no CSP
violation, and axe-core finds no serious or critical accessibility violation."""

import re

import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open(page, live_server, path):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, f"{path}: HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    return response


def test_home_page_presents_the_three_modules_and_is_accessible(page, live_server, axe_check, tmp_path):
    _open(page, live_server, "/")
    assert page.title() == "Accueil — Territoires des 1000 premiers jours"
    assert page.locator("html").get_attribute("lang") == "fr"
    # DSFR's JavaScript ran (it marks the document) and its styles apply.
    page.wait_for_function("document.documentElement.hasAttribute('data-fr-js')")
    assert page.locator(".fr-header").evaluate("e => getComputedStyle(e).display") != "none"
    cards = page.locator(".fr-card__title a")
    assert cards.count() == 3
    targets = [cards.nth(i).get_attribute("href") for i in range(3)]
    assert targets == ["/annuaire/", "/appels-a-projets/", "/valorisation/"]
    assert page.console_errors == []
    axe_check(page, "accueil")
    page.screenshot(path=str(tmp_path / "accueil.png"), full_page=True)


def test_the_module_links_lead_somewhere(page, live_server):
    _open(page, live_server, "/")
    page.locator(".fr-card__title a").first.click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/annuaire/"


def test_login_page_is_accessible_and_says_what_is_wrong(page, live_server, axe_check):
    _open(page, live_server, "/comptes/connexion/")
    axe_check(page, "connexion")
    page.get_by_label("Adresse e-mail").fill("personne@example.fr")
    page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_load_state()
    assert page.get_by_text("Adresse e-mail ou mot de passe incorrect.").is_visible()
    axe_check(page, "connexion en erreur")
    assert page.console_errors == []


def test_login_then_logout(page, live_server):
    UserFactory(email="camille@example.fr")
    _open(page, live_server, "/comptes/connexion/")
    page.get_by_label("Adresse e-mail").fill("camille@example.fr")
    page.get_by_label("Mot de passe").fill("mot-de-passe-solide-42")
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(re.compile(r".*/mon-espace/$"))
    assert page.get_by_role("heading", name="Mon espace").is_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server.url}/")


def test_signup_page_is_accessible_even_with_errors(page, live_server, axe_check):
    _open(page, live_server, "/comptes/inscription/")
    axe_check(page, "inscription")
    page.get_by_label("Adresse e-mail").fill("nouvelle@example.fr")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le formulaire n'a pas été enregistré").is_visible()
    axe_check(page, "inscription en erreur")


def test_login_helper_signs_the_browser_in(page, live_server, login):
    UserFactory(email="aide@example.fr")
    login(page, live_server, "aide@example.fr")
    _open(page, live_server, "/mon-espace/")
    assert page.get_by_text("aide@example.fr").first.is_visible()


def test_404_page_is_dsfr_and_accessible(page, live_server, axe_check, settings):
    response = page.goto(f"{live_server.url}/nulle-part/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page non trouvée").is_visible()
    axe_check(page, "404")


def _csp_violations(page):
    return [m for m in page.console_errors if "Content Security Policy" in m]


def test_the_api_docs_work_under_the_content_security_policy(page, live_server):
    _open(page, live_server, "/api/v1/docs/")
    assert "API Territoires des 1000 premiers jours" in page.locator(".fr-text--lead").inner_text()
    assert _csp_violations(page) == []


@pytest.mark.parametrize("path", ["/annuaire/", "/appels-a-projets/", "/valorisation/"])
def test_module_home_pages_break_no_content_security_policy_rule(page, live_server, path):
    """DSFR, htmx and Leaflet (map tiles included) run under the CSP of every profile."""
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    assert _csp_violations(page) == []
