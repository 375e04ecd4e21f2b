"""The search's map in few statements (tpj.training.search.map_points): one read of at most
MAP_COMMUNE_SESSIONS + 1 sessions decides between communes and départements and, below, is
all the communes' counts and the offers' titles need; its points are those of every session."""

import pytest
from django.core.cache import cache

from tests.training.factories import OfferFactory, SessionFactory, published_offer
from tpj.territories.models import Commune
from tpj.training import search
from tpj.training.models import OfferState

pytestmark = pytest.mark.django_db


def commune(code):
    return Commune.objects.get(insee_code=code)


@pytest.fixture
def catalogue(db):
    rennes, malo = commune("35238"), commune("35288")
    # Rennes: five offers, two of them under one title (named once), one title in lower case.
    for title in ("Comptines", "Éveil au langage", "atelier jeux", "Motricité libre", "Motricité libre"):
        published_offer(title=title, commune=rennes)
    twice = published_offer(title="Prévention des stéréotypes", commune=malo)
    SessionFactory(offer=twice, commune=malo)
    remote = OfferFactory(state=OfferState.PUBLISHED, title="Le numérique", format="distanciel")
    SessionFactory(offer=remote, commune=None, is_remote=True)
    SessionFactory(offer=OfferFactory(title="Brouillon caché"), commune=commune("29019"))


def test_the_points_count_every_session_and_name_the_offers(catalogue):
    data = search.map_points(search.SessionFilter())
    assert (data["niveau"], data["sessions"], data["a_distance"], data["lieux"], data["avec_offres"]) == (
        "communes",
        8,
        1,
        2,
        True,
    )
    rennes, malo = data["points"]
    assert (rennes["commune"], rennes["sessions"], rennes["autres_offres"]) == ("35238", 5, 1)
    # By name whatever the case (an accented initial last, as the old statement sorted them), each once.
    assert rennes["offres"] == ["atelier jeux", "Comptines", "Motricité libre"]
    assert (malo["commune"], malo["sessions"], malo["offres"], malo["autres_offres"]) == (
        "35288",
        2,
        ["Prévention des stéréotypes"],
        0,
    )


def test_a_search_of_few_sessions_takes_four_statements(catalogue, django_assert_num_queries):
    # The longest session (the dates' bound), the sessions read once, their communes, the offers' titles.
    with django_assert_num_queries(4):
        data = search.map_points(search.SessionFilter())
    assert data["avec_offres"]
    with django_assert_num_queries(5):  # the free text: the offers found first
        data = search.map_points(search.SessionFilter(text="motricité"))
    assert [(p["nom"], p["sessions"], p["offres"]) for p in data["points"]] == [("Rennes", 2, ["Motricité libre"])]


def test_a_search_without_titles_does_not_read_them(catalogue, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(search, "MAP_TITLED_SESSIONS", 3)
    with django_assert_num_queries(3):
        data = search.map_points(search.SessionFilter())
    assert not data["avec_offres"] and "offres" not in data["points"][0]
    assert [(p["nom"], p["sessions"]) for p in data["points"]] == [("Rennes", 5), ("Saint-Malo", 2)]


def test_a_broad_search_is_grouped_by_departement_in_three_statements(catalogue, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(search, "MAP_COMMUNE_SESSIONS", 3)
    cache.clear()
    search.map_points(search.SessionFilter())  # the départements' places, read once a day
    # The longest session, the sessions read up to the threshold, their grouping by département.
    with django_assert_num_queries(3):
        data = search.map_points(search.SessionFilter())
    assert (data["niveau"], data["sessions"], data["a_distance"], data["avec_offres"]) == ("departements", 8, 1, False)
    assert [(p["departement"], p["sessions"]) for p in data["points"]] == [("35", 7)]


@pytest.mark.parametrize("query", ["motricité", "jeux", "ste", "zzz"])
def test_the_map_of_a_text_is_the_same_whether_few_or_many_offers_match(catalogue, query, monkeypatch):
    few = search.map_points(search.SessionFilter(text=query))
    monkeypatch.setattr(search, "MAX_TEXT_OFFERS", 0)
    assert search.map_points(search.SessionFilter(text=query)) == few
