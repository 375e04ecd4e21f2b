import pytest

from tpj.territories.loader import load_territories
from tpj.territories.models import Commune, Departement, Region

pytestmark = pytest.mark.django_db


def test_official_territories_are_loaded_with_their_counts():
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert Commune.objects.count() == 34875


def test_reloading_territories_changes_nothing():
    report = load_territories()
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == 18 + 101 + 34875


def test_reloading_restores_an_edited_commune():
    Commune.objects.filter(insee_code="35238").update(name="Rennes modifiée")
    report = load_territories()
    assert report.updated == 1
    assert Commune.objects.get(insee_code="35238").name == "Rennes"


@pytest.mark.parametrize(
    "query, expected_first",
    [
        ("rennes", "Rennes"),
        ("RENNES", "Rennes"),
        ("st etienne", "Saint-Étienne"),
        ("saint-etienne", "Saint-Étienne"),
        ("Saint Étienne", "Saint-Étienne"),
        ("35000", "Rennes"),
        ("evry", "Évry"),
        ("evry courc", "Évry-Courcouronnes"),
    ],
)
def test_commune_lookup_is_accent_case_and_saint_insensitive(query, expected_first):
    assert Commune.objects.search(query).first().name == expected_first


def test_commune_lookup_by_postal_code_prefix_lists_the_biggest_first():
    names = list(Commune.objects.search("6900").values_list("name", flat=True)[:1])
    assert names == ["Lyon"]


def test_unknown_commune_finds_nothing():
    assert not Commune.objects.search("zzzzqqq").exists()
    assert not Commune.objects.search("99999").exists()


def test_api_serves_territory_counts(api_client):
    assert api_client.get("/api/v1/regions/").json()["count"] == 18
    assert api_client.get("/api/v1/departements/").json()["count"] == 101
    assert api_client.get("/api/v1/communes/").json()["count"] == 34875


def test_api_commune_search_returns_postal_codes(api_client):
    body = api_client.get("/api/v1/communes/", {"q": "st malo"}).json()
    first = body["results"][0]
    assert first["name"] == "Saint-Malo"
    assert "35400" in first["postal_codes"]
    assert set(body) == {"count", "next", "previous", "results"}


def test_commune_autocomplete_fragment_lists_matching_communes(client):
    html = client.get("/territoires/communes/", {"q": "quimper"}).content.decode()
    assert 'value="29232"' in html
