"""How many SQL statements the projetothèque's list costs: a fixed number whatever the
number of laureates, since only the page's projects are read with their relations.
Each request is sent once first (a warm worker's counts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tpj.calls.models import Application
from tpj.valorisation.models import Highlight

from .factories import laureate, three_public_laureates

pytestmark = pytest.mark.django_db

PROJECTS = reverse("valorisation:projects")


def statements(client, params=None) -> int:
    assert client.get(PROJECTS, params or {}).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PROJECTS, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(client):
    three_public_laureates()
    # The count, the page (plain rows), its cards' places and national axes, the coups de
    # cœur (which also mark the cards), and the régions, départements, axes and years of the
    # form; no transaction.
    assert statements(client) == 9
    assert statements(client, {"region": "53", "axis": 4}) == 9
    for n in range(4):
        laureate("53", title=f"Projet de plus {n}", places=("29019", "35238"), axes=(2, 5))
    Highlight.objects.create(region_id="53", year=2021, application=Application.objects.get(title="Projet de plus 0"))
    assert statements(client) == 9


def test_the_count_reads_the_bare_laureates(client):
    three_public_laureates()
    with CaptureQueriesContext(connection) as captured:
        client.get(PROJECTS, {"axis": 4})
    [count] = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    # Not the tables of the cards' columns (région, campaign, carrier): only the filters'.
    for table in ("territories_region", "calls_campaign", "accounts_organisation"):
        assert f'"{table}"' not in count


def test_a_text_search_reads_the_laureates_once(client):
    three_public_laureates()
    few = statements(client, {"q": "balade"})
    for n in range(4):
        laureate("53", title=f"Balade de plus {n}", places=("29019",))
    assert statements(client, {"q": "balade"}) == few


def test_a_text_search_is_a_condition_of_the_page_query(client):
    three_public_laureates()
    # The list's statements, and one to find texts not yet stored (none once written).
    assert statements(client, {"q": "balade"}) == 10
    with CaptureQueriesContext(connection) as captured:
        client.get(PROJECTS, {"q": "PÈRES balade"})
    page = [q["sql"] for q in captured.captured_queries if '"valorisation_projectsearchtext"."text"' in q["sql"]]
    assert page and all("%peres%" in sql and "%balade%" in sql for sql in page)  # normalised words, in SQL
    assert not any('"calls_partner"' in q["sql"] for q in captured.captured_queries)  # no laureate read in Python


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("eveil MUSICAL", {"Éveil musical à Brest"}),
        ("Pères", {"Pères en balade"}),
        ("répit toulouse", {"Répit parental toulousain"}),  # title and place of action
        ("brest toulouse", set()),  # every word must match
        ("100%", set()),  # a LIKE wildcard is a character
    ],
)
def test_the_text_filter_ignores_accents_and_case(client, text, found):
    three_public_laureates()
    response = client.get(PROJECTS, {"q": text})
    assert {p.title for p in response.context["projects"]} == found


def test_a_partner_added_later_is_found_once_its_change_commits(client, committed):
    from tpj.calls.models import Partner

    with committed():
        brest, *_ = three_public_laureates()
    assert list(client.get(PROJECTS, {"q": "médiathèque"}).context["projects"]) == []
    with committed():
        Partner.objects.create(application=brest, name="Médiathèque des Capucins")
    assert [p.title for p in client.get(PROJECTS, {"q": "mediatheque capucins"}).context["projects"]] == [brest.title]
    with committed():
        brest.title = "Éveil sonore à Brest"
        brest.save()
    assert [p.title for p in client.get(PROJECTS, {"q": "sonore"}).context["projects"]] == ["Éveil sonore à Brest"]
    assert list(client.get(PROJECTS, {"q": "musical"}).context["projects"]) == []
