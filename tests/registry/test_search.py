"""Directory search at scale: the full-text index answers text + filters (tokens in the
search text) with exactly the results the column filters give, and pages are read in two
steps (ids, then entries) without changing what users see."""

import itertools

import pytest
from django.urls import reverse

from tpj.nomenclatures.models import Category, EntryKind
from tpj.registry.models import Entry, State
from tpj.registry.services.entries import EntryData, save_entry
from tpj.registry.services.moderation import moderate, submit
from tpj.territories.models import Commune

from .factories import EntryFactory, verified_entry

pytestmark = pytest.mark.django_db
LIST = reverse("api-registry-entry-list")

PLACES = [("35238", "35000"), ("35288", "35400"), ("31555", "31000"), ("75056", "75001")]


@pytest.fixture
def zebulons():
    """Eight published entries named « Zébulon » over 3 régions, 2 categories, several priorities."""
    categories = [Category.objects.get(slug="creche"), Category.objects.get(slug="culture")]
    priority_sets = [(2,), (8,), (2, 8), (4, 6)]
    entries = []
    for index, ((insee, postal_code), category) in enumerate(itertools.product(PLACES, categories)):
        entries.append(
            verified_entry(
                name=f"Zébulon {index}",
                commune=Commune.objects.get(insee_code=insee),
                postal_code=postal_code,
                category=category,
                setup__priorities=priority_sets[index % 4],
            )
        )
    verified_entry(name="Les Marmousets", commune=Commune.objects.get(insee_code="35238"))  # no « zébulon »
    EntryFactory(name="Zébulon brouillon", state=State.DRAFT)  # never listed
    return entries


def _names(api_client, params):
    response = api_client.get(LIST, {**params, "page_size": 100})
    assert response.status_code == 200, response.content
    body = response.json()
    names = [row["name"] for row in body["results"]]
    assert body["count"] == len(names)
    return names


@pytest.mark.parametrize(
    "params",
    [
        {"priorite": 2},
        {"priorite": ["2", "6"]},
        {"region": "53"},
        {"departement": "31"},
        {"categorie": "culture"},
        {"type": "etablissement", "priorite": 8, "region": "53"},
        {"categorie": "creche", "departement": "75", "priorite": 2},
    ],
)
def test_text_with_filters_gives_what_the_column_filters_give(api_client, zebulons, params):
    with_text = _names(api_client, {**params, "q": "zebul"})
    without_text = [name for name in _names(api_client, params) if name.startswith("Zébulon")]
    assert with_text == without_text
    assert with_text, "the fixture must give a non-empty answer for each case"


def test_text_search_follows_a_verified_change_of_priorities(api_client, zebulons, moderator_35, member):
    entry = zebulons[0]  # Rennes, priority 2
    entry.members.add(member)
    assert "Zébulon 0" in _names(api_client, {"q": "zebulon", "priorite": 2})
    revision, outcome = save_entry(entry, member, EntryData(priorities={6: "Lecture partagée"}))
    assert outcome == "revision"
    submit(revision, member)
    assert "Zébulon 0" in _names(api_client, {"q": "zebulon", "priorite": 2}), "public version unchanged until verified"
    moderate(revision, "verify", moderator_35)
    assert "Zébulon 0" not in _names(api_client, {"q": "zebulon", "priorite": 2})
    assert "Zébulon 0" in _names(api_client, {"q": "zebulon", "priorite": 6})


@pytest.mark.parametrize("text", ['"zebulon', "zebulon OR marmousets", "zebulon*", "NEAR(zebulon", "zébulon -- ;"])
def test_search_syntax_in_the_text_is_taken_as_words(api_client, zebulons, text):
    response = api_client.get(LIST, {"q": text})
    assert response.status_code == 200
    names = [row["name"] for row in response.json()["results"]]
    assert "Les Marmousets" not in names


def test_near_a_commune_is_ranked_by_distance_over_several_pages(api_client, zebulons):
    first = api_client.get(LIST, {"autour": "35238", "km": 200, "page_size": 2}).json()
    second = api_client.get(LIST, {"autour": "35238", "km": 200, "page_size": 2, "page": 2}).json()
    assert first["count"] == second["count"] == 5  # Rennes ×3 (incl. Les Marmousets), Saint-Malo ×2
    names = [r["name"] for r in first["results"] + second["results"]]
    assert set(names[:2]) <= {"Zébulon 0", "Zébulon 1", "Les Marmousets"}
    assert all(name.startswith(("Zébulon", "Les")) for name in names)
    assert not set(names) & {"Zébulon 4", "Zébulon 5", "Zébulon 6", "Zébulon 7"}  # Toulouse, Paris


def test_directory_page_lists_the_same_page_as_the_api(client, zebulons):
    page = client.get(reverse("registry:directory"), {"q": "zebulon", "region": "53"})
    assert page.status_code == 200
    assert page.context["count"] == 4
    assert [e.name for e in page.context["entries"]] == ["Zébulon 0", "Zébulon 1", "Zébulon 2", "Zébulon 3"]
    assert not Entry.objects.filter(name="Zébulon brouillon", state=State.VERIFIED).exists()
    assert EntryKind.objects.filter(slug="etablissement").exists()


def test_a_renamed_published_entry_is_found_by_its_old_and_new_words(api_client, moderator_35, member):
    entry = verified_entry(name="Crèche Les Zébulons", setup__members=[member])
    save_entry(entry, member, EntryData(fields={"name": "Crèche Les Zébulons du Parc"}))
    assert _names(api_client, {"q": "zebulons"}) == ["Crèche Les Zébulons du Parc"]
    assert _names(api_client, {"q": "parc creche rennes"}) == ["Crèche Les Zébulons du Parc"]


def test_words_shaped_like_filter_tokens_are_ignored(api_client, zebulons):
    assert len(_names(api_client, {"q": "zebulon 0r53"})) == len(zebulons)  # not only région 53


@pytest.mark.parametrize("value", ["35238", "Rennes", "rennes", "35000"])
def test_commune_filter_takes_a_name_a_postal_code_or_an_insee_code(api_client, zebulons, value):
    assert _names(api_client, {"q": "zebulon", "commune": value}) == ["Zébulon 0", "Zébulon 1"]
    near = api_client.get(LIST, {"autour": value, "km": 5}).json()
    assert near["count"] == 3  # the two Zébulon of Rennes and Les Marmousets


def test_an_ambiguous_or_unknown_commune_name_says_which_codes_to_choose(api_client, zebulons):
    response = api_client.get(LIST, {"autour": "Saint-Denis"})
    assert response.status_code == 400
    message = response.json()["autour"][0]
    assert "Plusieurs communes" in message and "93066" in message and "97411" in message
    unknown = api_client.get(LIST, {"commune": "Nulle-Part-sur-Mer"})
    assert unknown.status_code == 400
    assert unknown.json()["commune"] == ["Commune inconnue : « Nulle-Part-sur-Mer » (nom, code postal ou code INSEE)."]
    page = api_client.get(reverse("registry:directory"), {"commune": "Saint-Denis"})
    assert page.status_code == 200 and "précisez le code INSEE" in page.content.decode()


@pytest.mark.parametrize("page", ["99999999999999999999999999", "100001", "0", "-1", "abc", "2"])
def test_any_page_number_gets_a_page_or_a_french_404_never_a_500(api_client, client, zebulons, page):
    response = api_client.get(LIST, {"q": "zebulon", "page": page})
    assert response.status_code == 404 and "Page" in response.json()["detail"]
    assert client.get(reverse("registry:directory"), {"q": "zebulon", "page": page}).status_code == 200


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ze", 8),
        ("zeb", 8),
        ("zebulo", 8),  # prefixes the index holds whole (2 to 6 letters)
        ("zebulon", 8),
        ("zébulon 1", 1),
        ("zebulons", 0),  # longer: found by 6 letters, then checked whole
        ("marmou", 1),
        ("les marmousets", 1),
        ("rennes zebulon", 2),
        ("zebulon rennes", 2),
        ("ebulon", 0),  # the middle of a word
        ("0qzebu", 9),  # shaped like an index token: ignored, as if no text was typed
    ],
)
def test_the_last_word_is_a_prefix_of_any_length(api_client, zebulons, text, expected):
    names = _names(api_client, {"q": text})
    assert len(names) == expected, names


def test_text_search_follows_verification_and_suspension(api_client, moderator_35):
    entry = EntryFactory(name="Ludothèque Les Zébulons", state=State.SUBMITTED)
    assert api_client.get(LIST, {"q": "zebulons"}).json()["count"] == 0
    moderate(entry, "verify", moderator_35)
    assert [r["name"] for r in api_client.get(LIST, {"q": "ZÉBULON"}).json()["results"]] == ["Ludothèque Les Zébulons"]
    moderate(entry, "suspend", moderator_35, "Contrôle en cours")
    assert api_client.get(LIST, {"q": "zebulons"}).json()["count"] == 0


def test_a_category_added_while_the_workers_hold_the_others_is_a_filter_at_once(api_client, zebulons):
    assert api_client.get(LIST, {"categorie": "creche"}).status_code == 200  # the worker reads the categories
    added = Category.objects.create(slug="ludotheque-test", label="Ludothèque")
    entry = verified_entry(category=added)
    response = api_client.get(LIST, {"categorie": "ludotheque-test"})
    assert response.status_code == 200 and [row["id"] for row in response.json()["results"]] == [entry.pk]
    unknown = api_client.get(LIST, {"categorie": "inconnue"})
    assert unknown.status_code == 400 and "Catégorie inconnue" in unknown.json()["categorie"][0]


# Column-only states, in pairs of the same shape (same filters present, other values): the
# page's statement is built by the first of a pair and bound to the second's values.
SAME_SHAPE_STATES = [
    {"priorite": 2},
    {"priorite": 8},
    {"priorite": 2, "departement": "35"},
    {"priorite": 8, "departement": "31"},
    {"categorie": "creche", "region": "53"},
    {"categorie": "culture", "region": "76"},
    {"priorite": ["2", "6"], "region": "53"},  # counted live (two priorities), with the page
    {"priorite": ["8", "4"], "region": "11"},
    {"bbox": "-1.8,48.0,-1.5,48.2"},  # Rennes, counted live
    {"bbox": "1.3,43.5,1.5,43.7", "categorie": "creche"},  # Toulouse
    {"q": "zebulon"},  # text-only states: the index answers, the words are the values
    {"q": "marmousets"},
    {"q": "zébulon", "priorite": 8, "region": "76"},
    {"q": "zeb", "priorite": 2, "region": "53"},
    {"autour": "35238", "km": 10},  # distance states: the centre, box and radius are the values
    {"autour": "31555", "km": 30},
    {"autour": "35238", "km": 100, "categorie": "creche"},
    {"autour": "75056", "km": 5, "categorie": "culture"},
]


@pytest.mark.parametrize("page_size", [2, 100])
def test_pages_of_states_of_the_same_shape_each_show_their_own_entries(api_client, zebulons, page_size):
    from django.http import QueryDict

    from tpj.registry.filters import EntryFilter

    for params in SAME_SHAPE_STATES:
        response = api_client.get(LIST, {**params, "page_size": page_size})
        assert response.status_code == 200, response.content
        body = response.json()
        query = QueryDict(mutable=True)
        for key, value in params.items():
            query.setlist(key, value if isinstance(value, list) else [str(value)])
        entries = EntryFilter.from_query(query).published_entries()
        order = ("distance2", "id") if "autour" in params else ("name", "id")
        expected = list(entries.order_by(*order).values_list("name", flat=True))
        assert expected, params  # each state matches something, so a wrong binding shows
        assert [row["name"] for row in body["results"]] == expected[:page_size], params
        assert body["count"] == len(expected), params
