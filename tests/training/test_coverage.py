"""Steering the training offer (issue 20, journey 6): the coverage by theme × département, its
scope (a commissaire's région, the national team's country), its gaps at 50 km, its exports."""

import csv
import datetime
import html
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UserFactory, user_with_role
from tests.training.factories import OfferFactory, SessionFactory
from tpj.accounts.models import Role
from tpj.accounts.scopes import Scope
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Commune, haversine_km
from tpj.training.models import OfferState, ReportLine, SessionReport
from tpj.training.services import coverage

pytestmark = pytest.mark.django_db

BRETAGNE = Scope(regions=frozenset(["53"]))
NATIONAL = Scope(national=True)


def theme(number):
    return TrainingTheme.objects.get(number=number)


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def session(offer, start_in, commune="35238", capacity=12, seats_left=12):
    return SessionFactory(
        offer=offer,
        start_date=days(start_in),
        end_date=days(start_in + 1),
        commune=None if commune is None else Commune.objects.get(insee_code=commune),
        is_remote=commune is None,
        capacity=capacity,
        seats_left=seats_left,
    )


def report(session_, *lines):
    rep = SessionReport.objects.create(session=session_, hours_delivered=14)
    for audience, departement, participants in lines:
        ReportLine.objects.create(report=rep, audience=audience, departement_id=departement, participants=participants)


@pytest.fixture
def world(db):
    """Offer A (le langage): a session in Rennes in a month (5 seats left of 12), one in
    Rennes in 200 days, one remote, one past session reported (8 from Ille-et-Vilaine, 3 from
    Finistère). Offer B (le langage and la prévention des stéréotypes): a session in Brest,
    a past one reported (4 from Morbihan). A draft offer with a session in Rennes (not counted)."""
    a = OfferFactory(state=OfferState.PUBLISHED, themes=[theme(1)])
    session(a, 30, capacity=12, seats_left=5)
    session(a, 200)
    session(a, 10, commune=None, capacity=20, seats_left=20)
    report(session(a, -40), ("eaje", "35", 8), ("assistant_maternel", "29", 3))
    b = OfferFactory(state=OfferState.PUBLISHED, themes=[theme(1), theme(5)])
    session(b, 60, commune="29019", capacity=10, seats_left=10)
    report(session(b, -90, commune="29019"), ("eaje", "56", 4))
    session(OfferFactory(state=OfferState.DRAFT, themes=[theme(1)]), 20)
    return a, b


def row(result, code):
    return next(r for r in result.rows if r.code == code)


def cell(result, code, number):
    return next(c for c in row(result, code).cells if c.theme.number == number)


# -- figures -------------------------------------------------------------------------------


def test_cells_count_published_upcoming_sessions_seats_and_trained_by_participants_departement(world):
    result = coverage.build(BRETAGNE, horizon=6)
    rennes = cell(result, "35", 1)
    assert (rennes.offers, rennes.sessions, rennes.seats_left, rennes.capacity, rennes.trained) == (1, 1, 5, 12, 8)
    finistere = cell(result, "29", 1)
    assert (finistere.offers, finistere.sessions, finistere.seats_left, finistere.capacity, finistere.trained) == (
        1,
        1,
        10,
        10,
        3,
    )
    # Offer B's themes: its session and its participants count under each.
    assert (cell(result, "29", 5).sessions, cell(result, "56", 5).trained, cell(result, "56", 1).trained) == (1, 4, 4)
    assert cell(result, "35", 5).sessions == 0


def test_totals_count_a_multi_theme_offer_once(world):
    result = coverage.build(BRETAGNE, horizon=6)
    assert (row(result, "29").total.offers, row(result, "29").total.sessions) == (1, 1)
    assert row(result, "56").total.trained == 4  # not 8: one participant, two themes
    langage = result.theme_totals[0]
    assert (langage.offers, langage.sessions, langage.seats_left, langage.capacity, langage.trained) == (2, 2, 15, 22, 15)
    assert langage.remote.sessions == 1 and langage.remote.capacity == 20
    assert (result.total.offers, result.total.sessions, result.total.trained) == (2, 2, 15)
    assert result.remote.sessions == 1


def test_horizon_widens_the_sessions_counted(world):
    assert cell(coverage.build(BRETAGNE, horizon=3), "35", 1).sessions == 1
    assert cell(coverage.build(BRETAGNE, horizon=12), "35", 1).sessions == 2


def test_trained_per_100k_inhabitants_uses_the_departements_communes(world):
    result = coverage.build(BRETAGNE)
    population = sum(Commune.objects.filter(departement_id="35").values_list("population", flat=True))
    assert row(result, "35").population == population > 1_000_000
    assert row(result, "35").trained_per_100k == coverage.per_100k(8, population)
    assert str(coverage.per_100k(8, 1_000_000)) == "0.8"


# -- scope ---------------------------------------------------------------------------------


def test_a_commissaire_sees_its_region_and_the_national_team_every_departement(world):
    assert [r.code for r in coverage.build(BRETAGNE).rows] == ["22", "29", "35", "56"]
    national = coverage.build(NATIONAL)
    assert len(national.rows) == 101
    assert [r.code for r in coverage.build(NATIONAL, region="53").rows] == ["22", "29", "35", "56"]
    # A session in Nantes (Pays de la Loire) is national, not Breton.
    session(OfferFactory(state=OfferState.PUBLISHED, themes=[theme(2)]), 15, commune="44109")
    assert coverage.build(BRETAGNE).theme_totals[1].sessions == 0
    assert coverage.build(NATIONAL).theme_totals[1].sessions == 1


def test_commissaire_page_shows_its_region_only(client, world, commissaire_bretagne):
    client.force_login(commissaire_bretagne)
    response = client.get(reverse("training:steering"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ille-et-Vilaine (35)" in page and "Finistère (29)" in page
    assert "Gironde (33)" not in page
    assert "1 session" in page and "5 places libres sur 12" in page and "8 formés" in page
    assert "ne figurent pas dans les données de référence" in page  # the missing ratio, stated


def test_national_page_filters_by_region(client, world, national):
    client.force_login(national)
    everything = client.get(reverse("training:steering")).content.decode()
    assert "Gironde (33)" in everything
    breton = client.get(reverse("training:steering"), {"region": "53"}).content.decode()
    assert "Gironde (33)" not in breton and "Ille-et-Vilaine (35)" in breton


def test_another_regions_id_is_refused_in_french(client, world, commissaire_occitanie):
    client.force_login(commissaire_occitanie)
    response = client.get(reverse("training:steering"), {"region": "53"})
    assert response.status_code == 403
    assert "pas dans votre périmètre" in response.content.decode()
    assert client.get(reverse("training:steering-csv"), {"region": "53"}).status_code == 403
    assert client.get(reverse("training:steering"), {"region": "76"}).status_code == 200


@pytest.mark.parametrize("name", ["training:steering", "training:steering-csv", "training:steering-xlsx"])
def test_other_roles_are_refused_with_an_explanation(client, db, name):
    assert client.get(reverse(name)).status_code == 302  # anonymous: to the login page
    client.force_login(UserFactory())
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "réservé à l'équipe nationale" in html.unescape(response.content.decode())
    client.force_login(user_with_role(Role.MODERATOR, region="53"))
    assert client.get(reverse(name)).status_code == 403


def test_administrator_may_steer(client, world):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert client.get(reverse("training:steering")).status_code == 200


def test_bad_parameters_get_a_french_message(client, world, national):
    client.force_login(national)
    response = client.get(reverse("training:steering"), {"horizon": "7"})
    assert response.status_code == 400
    assert "choisissez 3, 6 ou 12 mois" in response.content.decode()
    response = client.get(reverse("training:steering"), {"region": "zz\x00"})
    assert response.status_code == 400
    assert "Région inconnue" in response.content.decode()


# -- gaps at 50 km ---------------------------------------------------------------------------


def test_a_theme_without_in_person_session_within_50_km_of_the_chef_lieu_is_a_gap(db):
    rennes, fougeres, saint_malo = (Commune.objects.get(insee_code=c) for c in ("35238", "35115", "35288"))
    assert 40 < haversine_km(rennes.latitude, rennes.longitude, fougeres.latitude, fougeres.longitude) < 50
    assert 50 < haversine_km(rennes.latitude, rennes.longitude, saint_malo.latitude, saint_malo.longitude) < 70
    session(OfferFactory(state=OfferState.PUBLISHED, themes=[theme(5)]), 20, commune="35115")  # Fougères: 45 km
    session(OfferFactory(state=OfferState.PUBLISHED, themes=[theme(3)]), 20, commune="35288")  # Saint-Malo: 63 km
    session(OfferFactory(state=OfferState.PUBLISHED, themes=[theme(3)]), 20, commune=None)  # remote: no place
    session(OfferFactory(state=OfferState.PUBLISHED, themes=[theme(4)]), 300, commune="35238")  # beyond 6 months
    session(OfferFactory(state=OfferState.DRAFT, themes=[theme(6)]), 20, commune="35238")  # not published
    result = coverage.build(BRETAGNE)
    assert not cell(result, "35", 5).gap
    assert cell(result, "35", 3).gap and cell(result, "35", 4).gap and cell(result, "35", 6).gap
    assert cell(result, "35", 3).sessions == 1  # in the département, yet too far from Rennes
    assert coverage.gap_label(theme(3)) == "aucune session sur « l'art et la culture » à moins de 50 km"
    assert not cell(coverage.build(BRETAGNE, horizon=12), "35", 4).gap  # within 12 months


def test_a_session_across_the_regional_border_fills_the_gap(db):
    # Nantes (Loire-Atlantique) lies 98 km from Rennes, but within 50 km of no Breton chef-lieu.
    session(OfferFactory(state=OfferState.PUBLISHED, themes=[theme(2)]), 20, commune="44109")
    assert all(cell(coverage.build(BRETAGNE), code, 2).gap for code in ("22", "29", "35", "56"))
    # From the Pays de la Loire's side, Nantes is Loire-Atlantique's chef-lieu: no gap there.
    national = coverage.build(NATIONAL, region="52")
    assert not cell(national, "44", 2).gap


def test_the_page_highlights_gaps_with_warning_badges(client, db, commissaire_bretagne):
    session(OfferFactory(state=OfferState.PUBLISHED, themes=[theme(5)]), 20, commune="35115")
    client.force_login(commissaire_bretagne)
    page = client.get(reverse("training:steering")).content.decode().replace("&#x27;", "'").replace("\u202f", " ")
    ille_et_vilaine = page.split("Ille-et-Vilaine (35)")[1].split("</tr>")[0]
    badge = '<span class="fr-badge fr-badge--sm fr-badge--warning">aucune session sur « {} » à moins de 50 km</span>'
    assert badge.format("le langage") in ille_et_vilaine
    assert badge.format("la prévention des stéréotypes") not in ille_et_vilaine
    assert "4 départements sans session à moins de 50 km" in page  # le langage, everywhere
    assert "3 départements sans session à moins de 50 km" in page  # les stéréotypes: all but Ille-et-Vilaine


# -- exports ---------------------------------------------------------------------------------


def test_csv_export_lists_every_cell_with_its_figures_and_gap(client, world, commissaire_bretagne):
    client.force_login(commissaire_bretagne)
    response = client.get(reverse("training:steering-csv"), {"horizon": "12"})
    assert response.status_code == 200
    assert "couverture-formations-perimetre-12-mois" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[4] == "thème" and header[-1] == "lacune"
    langage_35 = next(r for r in body if r[2] == "35" and r[4] == "Le langage")
    assert langage_35[5:10] == ["1", "2", "17", "24", "8"]
    assert langage_35[-1] == ""
    art_35 = next(r for r in body if r[2] == "35" and r[4] == "L'art et la culture")
    assert art_35[-1] == "aucune session sur « l'art et la culture » à moins de 50 km"
    all_56 = next(r for r in body if r[2] == "56" and r[4] == "Tous les thèmes")
    assert all_56[9] == "4"
    assert "," in all_56[11]  # the ratio, with a decimal comma
    assert len(body) == 4 * 8 + 7 + 1


def test_xlsx_export_has_the_same_rows(client, world, national):
    client.force_login(national)
    response = client.get(reverse("training:steering-xlsx"), {"region": "53"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "région (code)" and len(rows) == 1 + 4 * 8 + 7 + 1
    grand_total = rows[-1]
    assert grand_total[3:6] == ("Ensemble du périmètre", "Tous les thèmes", 2) and grand_total[12] == 1


# -- queries -----------------------------------------------------------------------------------


def test_query_count_is_bounded_whatever_the_data(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        coverage.build(NATIONAL)
    for number in range(1, 8):
        offer = OfferFactory(state=OfferState.PUBLISHED, themes=[theme(number)])
        for commune in ("29019", "22278", "44109", "75056", "13055"):
            report(session(offer, number, commune=commune), ("eaje", commune[:2], 2))
    with django_assert_max_num_queries(14):
        result = coverage.build(NATIONAL)
    assert result.total.sessions == 2 + 35


def test_page_query_count_is_bounded(client, world, national, django_assert_max_num_queries):
    client.force_login(national)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("training:steering")).status_code == 200


# -- the national dashboard ------------------------------------------------------------------------


def test_national_dashboard_has_a_training_section(client, world, national):
    client.force_login(national)
    page = client.get(reverse("valorisation:dashboard")).content.decode()
    assert 'id="formation"' in page
    assert reverse("training:steering") in page
    section = re.sub(r"<[^>]+>", "", page.split('id="formation"')[1])
    assert "2 offres publiées" in section
    assert "15 professionnels formés" in section
