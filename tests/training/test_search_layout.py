"""The search's data layout (issue 20, « Scale »): the copies on each session stay true through
the offer's workflow and edits; the map of the search; the capped count; the coverage snapshot."""

import datetime

import pytest
from django.urls import reverse

from tests.training.factories import OfferFactory, SessionFactory, published_offer, today
from tpj.accounts.scopes import Scope
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Commune
from tpj.training import search
from tpj.training.models import OfferState, Session
from tpj.training.services import coverage_snapshots
from tpj.training.services.offers import moderate, save_offer, submit, withdraw
from tpj.training.workflow import Move

pytestmark = pytest.mark.django_db


def commune(code):
    return Commune.objects.get(insee_code=code)


def theme(number):
    return TrainingTheme.objects.get(number=number)


def found(client, query="") -> list[str]:
    response = client.get(reverse("training:search") + query)
    assert response.status_code == 200
    return [session.offer.title for session, _ in response.context["sessions"]]


def flags(offer) -> set[bool]:
    return set(Session.objects.filter(offer=offer).values_list("published", flat=True))


@pytest.fixture
def offer(organisation):
    offer = OfferFactory(organisation=organisation, title="Éveil au langage", themes=[theme(1)])
    SessionFactory(offer=offer)
    SessionFactory(offer=offer, commune=None, is_remote=True)
    return offer


def test_the_published_flag_follows_each_transition_and_edit(client, offer, member, national):
    assert flags(offer) == {False} and found(client) == []
    submit(offer, member)
    assert flags(offer) == {False}
    moderate(offer, Move.PUBLISH, national)
    assert flags(offer) == {True}
    assert found(client) == ["Éveil au langage", "Éveil au langage"]

    withdraw(offer, member)  # back to draft, to be corrected
    assert flags(offer) == {False} and found(client) == []

    # Edited as a draft: another theme, and a new session, neither published yet.
    offer.refresh_from_db()
    save_offer(member, offer, themes=[theme(5)], audiences=["assistant_maternel"], funding_routes=["opco"])
    SessionFactory(offer=offer, commune=commune("29019"))
    assert flags(offer) == {False} and found(client, "?theme=5") == []

    submit(offer, member)
    moderate(offer, Move.PUBLISH, national)
    assert flags(offer) == {True}
    # The search filters on the copies of the edited choices, the new session included.
    assert len(found(client, "?theme=5&public=assistant_maternel&financement=opco")) == 3
    assert found(client, "?theme=1") == [] and found(client, "?public=eaje") == []
    assert found(client, "?departement=29") == ["Éveil au langage"]


@pytest.mark.parametrize("move", [Move.REQUEST_CHANGES, Move.REJECT])
def test_an_offer_not_published_keeps_its_sessions_out_of_the_search(client, offer, member, national, move):
    submit(offer, member)
    moderate(offer, move, national, reason="Précisez le programme.")
    assert flags(offer) == {False} and found(client) == []


def test_a_session_copies_its_commune_position_and_territory_and_its_length(offer):
    session = SessionFactory(
        offer=offer,
        commune=commune("35288"),
        start_date=today() + datetime.timedelta(days=10),
        end_date=today() + datetime.timedelta(days=13),
    )
    saint_malo = commune("35288")
    assert (session.latitude, session.longitude) == (saint_malo.latitude, saint_malo.longitude)
    assert (session.departement_id, session.region_id, session.length_days) == ("35", "53", 3)
    session.commune, session.is_remote = None, True
    session.save(update_fields=["commune", "is_remote"])
    session.refresh_from_db()
    assert (session.latitude, session.departement_id, session.region_id) == (None, None, None)


def test_a_long_session_still_running_is_found_from_today(client, organisation):
    offer = OfferFactory(organisation=organisation, state=OfferState.PUBLISHED, title="Parcours long")
    session = SessionFactory(offer=offer)
    # A session that started 40 days ago and ends in 5 days (stored as such: no new session starts in the past).
    Session.objects.filter(pk=session.pk).update(
        start_date=today() - datetime.timedelta(days=40), end_date=today() + datetime.timedelta(days=5), length_days=45
    )
    assert found(client) == ["Parcours long"]


# -- the map ---------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    published_offer(title="Éveil au langage", commune=commune("35238"), themes=[theme(1)])
    published_offer(title="Comptines à Rennes", commune=commune("35238"), themes=[theme(3)])
    published_offer(title="Prévention des stéréotypes", commune=commune("35288"), themes=[theme(5)])
    remote = OfferFactory(state=OfferState.PUBLISHED, title="Le numérique", format="distanciel")
    SessionFactory(offer=remote, commune=None, is_remote=True)
    draft = OfferFactory(title="Brouillon caché")
    SessionFactory(offer=draft, commune=commune("29019"))


def test_the_map_has_every_matching_session_by_commune_with_the_offers_titles(api_client, catalogue):
    response = api_client.get("/api/v1/training/carte/")
    assert response.status_code == 200
    data = response.json()
    assert (data["niveau"], data["sessions"], data["a_distance"], data["lieux"], data["avec_offres"]) == (
        "communes",
        4,
        1,
        2,
        True,
    )
    rennes, malo = data["points"]
    assert (rennes["commune"], rennes["nom"], rennes["sessions"]) == ("35238", "Rennes", 2)
    assert rennes["offres"] == ["Comptines à Rennes", "Éveil au langage"] and rennes["autres_offres"] == 0
    assert (rennes["lat"], rennes["lon"]) == (commune("35238").latitude, commune("35238").longitude)
    assert (malo["nom"], malo["sessions"], malo["offres"]) == ("Saint-Malo", 1, ["Prévention des stéréotypes"])


def test_the_map_applies_the_lists_filters(api_client, client, catalogue):
    data = api_client.get("/api/v1/training/carte/?theme=5").json()
    assert [(p["nom"], p["sessions"]) for p in data["points"]] == [("Saint-Malo", 1)] and data["a_distance"] == 0
    assert found(client, "?theme=5") == ["Prévention des stéréotypes"]
    data = api_client.get("/api/v1/training/carte/?q=comptines").json()
    assert [p["offres"] for p in data["points"]] == [["Comptines à Rennes"]]


def test_a_broad_search_is_mapped_by_departement(api_client, catalogue, monkeypatch):
    monkeypatch.setattr(search, "MAP_COMMUNE_SESSIONS", 2)
    data = api_client.get("/api/v1/training/carte/").json()
    assert (data["niveau"], data["sessions"], data["a_distance"]) == ("departements", 4, 1)
    assert [(p["departement"], p["nom"], p["sessions"]) for p in data["points"]] == [("35", "Ille-et-Vilaine", 3)]
    assert "offres" not in data["points"][0]


def test_the_map_refuses_a_bad_filter_in_french(api_client, catalogue):
    response = api_client.get("/api/v1/training/carte/?departement=999")
    assert response.status_code == 400
    assert response.json() == {"departement": ["Département inconnu : « 999 »."]}


def test_the_map_is_documented_in_french_and_the_page_loads_it_with_its_filters(api_client, client, catalogue):
    operation = api_client.get("/api/v1/schema/?format=json").json()["paths"]["/api/v1/training/carte/"]["get"]
    assert operation["summary"] == "Lire la carte des sessions"
    assert "mêmes paramètres" in operation["description"]
    assert {p["name"] for p in operation["parameters"]} >= {"theme", "autour", "km", "q", "du", "au"}
    page = client.get(reverse("training:search") + "?theme=5").content.decode()
    assert 'data-url="/api/v1/training/carte/?theme=5"' in page


# -- the capped count --------------------------------------------------------------------------


def test_past_the_cap_the_page_says_more_than(client, catalogue, monkeypatch):
    monkeypatch.setattr(search.CappedPaginator, "cap", 2)
    response = client.get(reverse("training:search"))
    assert response.context["count_label"].startswith("Plus de 2 sessions trouvées")
    assert len(response.context["sessions"]) == 2
    assert client.get(reverse("training:search") + "?theme=5").context["count_label"] == "1 session trouvée"


def test_the_api_says_when_its_count_is_capped(api_client, catalogue, monkeypatch):
    monkeypatch.setattr(search.CappedPaginator, "cap", 2)
    data = api_client.get("/api/v1/training/sessions/").json()
    assert (data["count"], data["count_capped"], len(data["results"])) == (2, True, 2)
    data = api_client.get("/api/v1/training/sessions/?theme=5").json()
    assert (data["count"], data["count_capped"]) == (1, False)


# -- the coverage snapshot -----------------------------------------------------------------------


def test_the_coverage_snapshot_is_computed_again_after_a_change(catalogue, organisation):
    national = Scope(national=True)
    first = coverage_snapshots.snapshot(national, region="53")
    assert first.total.sessions == 3 and first.computed_at is not None
    assert coverage_snapshots.snapshot(national, region="53").computed_at == first.computed_at  # read, not computed
    published_offer(title="Accueil des parents", commune=commune("35238"), organisation=organisation)
    again = coverage_snapshots.snapshot(national, region="53")
    assert again.total.sessions == 4 and again.computed_at > first.computed_at


def test_the_steering_page_says_when_its_figures_were_computed(client, catalogue, national):
    client.force_login(national)
    page = client.get(reverse("training:steering")).content.decode()
    assert "Chiffres calculés le " in page and "toutes les 10 minutes" in page
