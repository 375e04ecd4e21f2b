"""How many SQL statements the projetothèque's list costs: a fixed number whatever the
number of laureates, since only the page's projects are read with their relations.
Each request is sent once first (a warm worker's counts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
    # The count, the page, its eight relations (places, call axes and their national axes,
    # partners, indicators, co-financings, requests, highlights), the years, the coups de
    # cœur, and the régions, départements and axes of the form; no transaction.
    assert statements(client) == 15
    assert statements(client, {"region": "53", "axis": 4}) == 15
    for n in range(4):
        laureate("53", title=f"Projet de plus {n}", places=("29019",))
    assert statements(client) == 15


def test_a_text_search_reads_the_laureates_once(client):
    three_public_laureates()
    few = statements(client, {"q": "balade"})
    for n in range(4):
        laureate("53", title=f"Balade de plus {n}", places=("29019",))
    assert statements(client, {"q": "balade"}) == few
