"""/api/v1/docs/ in a real Chromium: the API's documentation is a French DSFR page of the site,
generated from the OpenAPI schema, with no serious axe-core finding at desktop and phone widths."""

import pytest

from tests.reliability.openapi import operations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_docs(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(f"{live_server.url}/api/v1/docs/", timeout=60_000)  # a long page, its schema built once
    assert response.status == 200
    page.wait_for_function("document.documentElement.hasAttribute('data-fr-js')", timeout=60_000)  # DSFR's JS ran


@pytest.mark.parametrize("width", [1280, 375])
def test_the_api_documentation_is_french_and_accessible(page, live_server, axe_check, width):
    _open_docs(page, live_server, width)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Documentation de l'API"
    assert page.console_errors == []  # CSP included: the page runs no script of its own
    # Nothing wider than the screen: tables and long identifiers wrap.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    axe_check(page, f"documentation de l'API ({width} px)")


def test_every_operation_of_the_schema_is_documented_under_its_french_summary(page, live_server):
    _open_docs(page, live_server, 1280)
    documented = page.locator(".tpj-api-docs__endpoint").evaluate_all(
        "nodes => nodes.map(n => [n.querySelector('.tpj-api-docs__method').innerText, n.querySelector('code').innerText])"
    )
    assert sorted(tuple(pair) for pair in documented) == sorted(operations())
    token = page.get_by_role("heading", level=3, name="Obtenir un jeton d'accès")
    assert token.is_visible()
    article = page.locator("article", has=token)
    assert "POST" in article.inner_text() and "/api/v1/auth/token/" in article.inner_text()
    assert article.get_by_role("table", name="Corps de la requête").get_by_text("email", exact=True).is_visible()


def test_the_summary_leads_to_each_operation(page, live_server):
    _open_docs(page, live_server, 1280)
    summary = page.get_by_role("navigation", name="Sommaire")
    summary.get_by_role("link", name="Rechercher dans l'annuaire").click()
    assert page.url.endswith("#op-entries_list")
    assert page.get_by_role("heading", level=3, name="Rechercher dans l'annuaire").is_visible()
