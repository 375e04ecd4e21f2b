"""How many SQL statements each public read of the registry costs: the search API, the map
API at every zoom, the entry page and the directory page. A page that starts reading one
more row per entry, or one query per entry, fails here before it fails under load.

Each request is sent once first: the counts are those of a warm worker (its in-process
caches of nomenclatures and territory names filled), as production serves them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tpj.registry.models import Entry

pytestmark = pytest.mark.django_db

SEARCH = reverse("api-registry-entry-list")
MAP = reverse("api-registry-map")
DIRECTORY = reverse("registry:directory")
RENNES_BBOX = "-1.75,48.05,-1.60,48.15"


@pytest.fixture
def warm(client):
    """Send a request once (fill the worker's caches), then return the statements of the second."""

    def queries(path, params=None, **headers):
        first = client.get(path, params or {}, **headers)
        assert first.status_code == 200, first.content[:500]
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, params or {}, **headers)
        assert response.status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    return queries


def test_search_api_reads_a_page_in_a_fixed_number_of_queries(warm, entries):
    # The transaction (opened and closed), the count from the precomputed map counts, the
    # page's ids, the entries, their priorities, their public contacts.
    assert len(warm(SEARCH)) == 7
    # Territory filters are read from the worker's copy of the régions and départements.
    assert len(warm(SEARCH, {"priorite": 2, "departement": "35"})) == 7
    # Text and distance: the count comes with the page's ids (one query), then the same three reads.
    assert len(warm(SEARCH, {"q": "creche"})) == 6
    assert len(warm(SEARCH, {"autour": "35238", "km": 20})) == 8  # + the commune, + the count within the radius


def test_search_api_cost_does_not_grow_with_the_page(warm, entries):
    from tests.registry.factories import verified_entry

    few = len(warm(SEARCH))
    for _ in range(5):
        verified_entry(setup__priorities=(1, 2, 3))
    assert len(warm(SEARCH)) == few


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"zoom": 5}, 1),
        ({"zoom": 7}, 1),
        ({"zoom": 9, "bbox": RENNES_BBOX}, 1),
        ({"zoom": 11, "bbox": RENNES_BBOX}, 1),
        ({"zoom": 14, "bbox": RENNES_BBOX}, 1),
        ({"zoom": 5, "q": "creche"}, 1),
        ({"zoom": 11, "bbox": RENNES_BBOX, "priorite": [2, 6]}, 1),
    ],
)
def test_map_api_answers_each_zoom_in_one_query(warm, entries, params, expected):
    # A pure read: no transaction either (no SAVEPOINT here, no BEGIN/COMMIT in production).
    assert len(warm(MAP, params)) == expected


def test_entry_page_reads_the_entry_in_a_fixed_number_of_queries(warm, entries):
    entry = Entry.objects.published().first()
    # The entry with its nomenclatures and territories, its priorities, its contacts; no
    # transaction, and its eligibility situations only for those who may see them.
    assert len(warm(reverse("registry:entry", args=[entry.pk]))) == 3


def test_directory_page_reads_its_list_and_filters_in_a_fixed_number_of_queries(warm, entries):
    # The count (precomputed), the page's ids, its entries, their priorities, and the form's
    # priorities, categories and kinds (régions and départements: the worker's copy); no transaction.
    assert len(warm(DIRECTORY)) == 7
    assert len(warm(DIRECTORY, {"departement": "35", "priorite": 2})) == 7
    # The list alone, as the page's filters fetch it (htmx): no form choices.
    assert len(warm(DIRECTORY, {"departement": "35"}, HTTP_HX_REQUEST="true")) == 4


def test_search_api_pages_show_what_the_entry_serializer_shows_anyone(api_client, entries):
    from tests.registry.factories import verified_entry
    from tpj.registry.api.serializers import EntrySerializer
    from tpj.registry.search import entry_queryset

    nowhere = verified_entry(name="Relais sans commune")
    Entry.objects.filter(pk=nowhere.pk).update(
        commune=None, departement=None, region=None, postal_code="", latitude=None, longitude=None
    )
    body = api_client.get(SEARCH).json()
    ids = [row["id"] for row in body["results"]]
    expected = EntrySerializer(entry_queryset().filter(pk__in=ids).order_by("name", "id"), many=True).data
    assert body["results"] == [dict(row) for row in expected]
    assert any(row["commune"] is None and row["commune_name"] == "" for row in body["results"])
    assert all(row["contacts"] == [{"kind": "email", "value": "public@example.fr"}] for row in body["results"])


def test_search_api_pages_of_the_same_length_each_show_their_own_entries(entries):
    """The page's statement is built once per page length: the second page of that length
    shows its own entries, not the first page's again."""
    from tpj.registry.api.serializers import EntrySerializer, public_entries
    from tpj.registry.search import entry_queryset

    published = list(Entry.objects.published().order_by("pk").values_list("pk", flat=True))
    for ids in (published[:2], published[1:][::-1]):
        expected = EntrySerializer([entry_queryset().get(pk=pk) for pk in ids], many=True).data
        assert public_entries(ids) == [dict(row) for row in expected]
