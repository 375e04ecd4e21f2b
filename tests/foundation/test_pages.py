import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page_explains_and_links_the_three_modules(client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in body
    assert "Territoires des 1000 premiers jours" in body
    for name in ("registry:directory", "calls:index", "valorisation:index"):
        assert f'href="{reverse(name)}"' in body
    assert "Annuaire &amp; carte des 1000 premiers jours en action" in body
    assert "Appels à projets régionaux" in body
    assert "Valorisation &amp; pilotage national" in body


def test_every_page_has_skip_links_header_and_legal_footer(client):
    body = client.get("/").content.decode()
    assert 'class="fr-skiplinks"' in body and 'href="#contenu"' in body
    assert 'class="fr-header"' in body and "République<br>française" in body
    for name in ("core:legal-notice", "core:privacy", "core:accessibility"):
        assert f'href="{reverse(name)}"' in body


@pytest.mark.parametrize(
    "url, title",
    [
        ("/mentions-legales/", "Mentions légales"),
        ("/donnees-personnelles/", "Données personnelles"),
        ("/accessibilite/", "accessibilité"),
        ("/plan-du-site/", "Plan du site"),
    ],
)
def test_legal_pages_are_served_in_french(client, url, title):
    response = client.get(url)
    assert response.status_code == 200
    assert title.lower() in response.content.decode().lower()


@override_settings(DEBUG=False)
def test_an_unknown_page_gets_the_dsfr_404_page(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page non trouvée" in body and "Erreur 404" in body
    assert 'class="fr-header"' in body and 'class="fr-footer"' in body


def test_an_unknown_api_url_gets_a_json_404(client):
    response = client.get("/api/v1/nexiste-pas/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Ressource introuvable."}


def test_the_500_page_is_dsfr_and_french():
    from tpj.core.views import server_error

    class Request:
        path = "/"

    response = server_error(Request())
    body = response.content.decode()
    assert response.status_code == 500
    assert "Erreur inattendue" in body and "dsfr.min.css" in body


def test_an_unexpected_error_renders_the_500_page(settings):
    """A crashing view answers the DSFR 500 page, not a traceback."""
    from django.urls import path

    from config import urls as root_urls

    def crash(request):
        raise RuntimeError("boom")

    settings.ROOT_URLCONF = type(
        "U",
        (),
        {
            "urlpatterns": [path("crash/", crash), *root_urls.urlpatterns],
            "handler500": root_urls.handler500,
        },
    )
    client = Client(raise_request_exception=False)
    response = client.get("/crash/")
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()
