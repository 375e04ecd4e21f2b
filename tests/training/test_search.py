"""The public search: filters, accent-insensitive text, distance, permalink; and the API."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from tests.training.factories import OfferFactory, SessionFactory, published_offer, today
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Commune
from tpj.training.models import OfferState

pytestmark = pytest.mark.django_db


def commune(code):
    return Commune.objects.get(insee_code=code)


@pytest.fixture
def catalogue(db):
    """Rennes, Saint-Malo (≈ 65 km), Brest (≈ 210 km), remote; a draft that is never found."""
    theme = TrainingTheme.objects.get
    return {
        "rennes": published_offer(title="Éveil au langage", commune=commune("35238"), themes=[theme(number=1)]),
        "malo": published_offer(
            title="Prévention des stéréotypes",
            commune=commune("35288"),
            themes=[theme(number=5)],
            audiences=["assistant_maternel"],
        ),
        "brest": published_offer(
            title="Alimentation et nature",
            commune=commune("29019"),
            themes=[theme(number=2)],
            funding_routes=["opco"],
            format="mixte",
        ),
        "remote": _remote(),
        "draft": OfferFactory(title="Brouillon caché", state=OfferState.DRAFT),
    }


def _remote():
    offer = OfferFactory(state=OfferState.PUBLISHED, title="Le numérique", format="distanciel")
    SessionFactory(offer=offer, commune=None, is_remote=True, start_date=today() + datetime.timedelta(days=3))
    return offer


def titles(client, query):
    response = client.get(reverse("training:search") + query)
    assert response.status_code == 200, response.content.decode()
    return response.context["sessions"], response.content.decode()


def found(client, query) -> list[str]:
    sessions, _ = titles(client, query)
    return [session.offer.title for session, _ in sessions]


def test_everything_published_by_date(client, catalogue):
    assert found(client, "") == ["Le numérique", "Éveil au langage", "Prévention des stéréotypes", "Alimentation et nature"]


def test_filters(client, catalogue):
    assert found(client, "?theme=5") == ["Prévention des stéréotypes"]
    assert found(client, "?public=assistant_maternel") == ["Prévention des stéréotypes"]
    assert found(client, "?modalite=mixte") == ["Alimentation et nature"]
    assert found(client, "?financement=opco") == ["Alimentation et nature"]
    assert found(client, "?departement=29") == ["Alimentation et nature"]
    assert found(client, "?region=53&a_distance=1") == [
        "Le numérique",
        "Éveil au langage",
        "Prévention des stéréotypes",
        "Alimentation et nature",
    ]


def test_text_is_accent_and_case_insensitive(client, catalogue):
    assert found(client, "?q=EVEIL") == ["Éveil au langage"]
    assert found(client, "?q=prévention stéréotypes") == ["Prévention des stéréotypes"]
    assert found(client, "?q=Stereotypes") == ["Prévention des stéréotypes"]
    assert found(client, "?q=introuvable") == []


def test_within_n_km_of_a_commune_sorted_by_distance(client, catalogue):
    sessions, page = titles(client, "?autour=Saint-Malo&km=100")
    assert [s.offer.title for s, _ in sessions] == ["Prévention des stéréotypes", "Éveil au langage"]
    assert [round(km) for _, km in sessions][0] == 0 and 55 < sessions[1][1] < 75
    assert "2 sessions trouvées" in page
    assert found(client, "?autour=35238&km=20") == ["Éveil au langage"]


def test_dates(client, catalogue):
    past = published_offer(title="Session passée")
    past.sessions.update(start_date=today() - datetime.timedelta(days=30), end_date=today() - datetime.timedelta(days=29))
    assert "Session passée" not in found(client, "")
    since = (today() - datetime.timedelta(days=60)).isoformat()
    assert "Session passée" in found(client, f"?du={since}")
    until = (today() + datetime.timedelta(days=5)).isoformat()
    assert found(client, f"?au={until}") == ["Le numérique"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?theme=42", "Thème inconnu : « 42 »"),
        ("?public=parents", "Public inconnu : « parents »."),
        ("?du=hier", "Date invalide : « hier »"),
        ("?autour=Nulle-Part-sur-Mer", "Commune inconnue"),
        ("?km=-3&autour=35238", "Le rayon doit être un nombre de kilomètres entre 1 et 200."),
        ("?tri=distance", "Pour trier par distance, indiquez une commune de référence."),
        ("?km=nan&autour=35238", "Le rayon doit être un nombre de kilomètres entre 1 et 200."),
    ],
)
def test_bad_filters_answer_in_french(client, catalogue, query, message):
    response = client.get(reverse("training:search") + query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_control_character_is_ignored_not_a_crash(client, catalogue):
    assert client.get(reverse("training:search") + "?region=%00&departement=3%005&q=%00").status_code in (200, 400)


def test_the_filter_state_is_a_permalink(client, catalogue):
    _, page = titles(client, "?theme=1&autour=35238&km=30&page=1")
    assert 'href="/formations/?theme=1&amp;autour=35238&amp;km=30"' in page
    # Shown as the public address (SITE_URL), whatever host the request reached: the page is shared.
    assert f">{settings.SITE_URL.rstrip('/')}/formations/?theme=1&amp;autour=35238&amp;km=30</a>" in page
    assert 'value="1" checked' in page


def test_the_offer_page_says_how_to_register(client, catalogue):
    page = client.get(reverse("training:offer", args=[catalogue["rennes"].pk])).content.decode()
    assert "S'inscrire auprès de l'organisme" in page and "https://formation.example.fr/inscription" in page
    assert "1 session" in page and "12 sur 12" in page


def test_api_lists_published_offers_only(api_client, catalogue):
    response = api_client.get("/api/v1/training/offers/")
    assert response.status_code == 200
    assert {row["intitule"] for row in response.json()["results"]} == {
        "Éveil au langage",
        "Prévention des stéréotypes",
        "Alimentation et nature",
        "Le numérique",
    }
    detail = api_client.get(f"/api/v1/training/offers/{catalogue['rennes'].pk}/").json()
    assert detail["themes"] == [{"numero": 1, "libelle": "Le langage"}]
    assert detail["sessions"][0]["commune"]["code_insee"] == "35238"
    assert api_client.get(f"/api/v1/training/offers/{catalogue['draft'].pk}/").status_code == 404


def test_api_searches_sessions_with_the_pages_filters(api_client, catalogue):
    rows = api_client.get("/api/v1/training/sessions/?autour=Saint-Malo&km=100").json()["results"]
    assert [row["intitule"] for row in rows] == ["Prévention des stéréotypes", "Éveil au langage"]
    assert rows[0]["distance_km"] == 0.0
    response = api_client.get("/api/v1/training/sessions/?theme=langage")
    assert response.status_code == 400
    assert response.json()["theme"] == ["Thème inconnu : « langage » (numéros de 1 à 7)."]
    # The modality filter is `modalite`: `?format=` is the API's response format.
    rows = api_client.get("/api/v1/training/sessions/?modalite=mixte").json()["results"]
    assert [row["intitule"] for row in rows] == ["Alimentation et nature"]


def test_the_api_is_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/training/offers/" in schema["paths"] and "/api/v1/training/sessions/" in schema["paths"]
    assert schema["paths"]["/api/v1/training/sessions/"]["get"]["summary"] == "Rechercher des sessions"


def test_the_moderators_find_their_queue_from_the_search_page(client, national):
    assert "Modérer les offres" not in client.get(reverse("training:search")).content.decode()
    client.force_login(national)
    assert "Modérer les offres" in client.get(reverse("training:search")).content.decode()
