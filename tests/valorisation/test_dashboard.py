"""National dashboard: live figures per région, scoping by role, CSV exports, constant query count."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.calls.factories import manager
from tests.factories import OrganisationFactory, user_with_role
from tests.registry.factories import EntryFactory, verified_entry
from tpj.accounts.models import Role
from tpj.calls.models import Application, Campaign, IntentDeclaration
from tpj.registry.models import State
from tpj.territories.models import Commune

from .factories import laureate

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ").replace("\u202f", " ")


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return [line.split(";") for line in body.splitlines()]


@pytest.fixture
def data():
    brest = laureate("53", title="Éveil à Brest", axes=(4,), places=("29019",))
    laureate("53", title="Pères à Rennes", axes=(6, 4), places=("35238",))
    laureate("76", title="Répit à Toulouse", axes=(3,), places=("31555",))
    campaign = Campaign.objects.get(year=2021)
    IntentDeclaration.objects.create(
        campaign=campaign,
        region_id="53",
        agency="ARS",
        joint=True,
        organisation=OrganisationFactory(kind="ars", region_id="53", commune_id=None),
        referent_name="Anne",
        referent_email="anne@ars.fr",
        declared_by=brest.created_by,
        declared_at=timezone.make_aware(datetime.datetime(2021, 5, 20)),
    )
    Application.objects.create(
        call=brest.call,
        organisation=brest.organisation,
        created_by=brest.created_by,
        title="Candidature non retenue",
        state=Application.State.REJECTED,
    )
    rennes = Commune.objects.get(insee_code="35238")
    verified_entry(name="Crèche A", commune=rennes, setup__priorities=(8,))
    verified_entry(name="PMI B", commune=rennes, setup__priorities=(2, 8))
    EntryFactory(name="En attente", state=State.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=12))
    return campaign


def test_national_team_sees_every_region_with_live_figures(client, data):
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    response = client.get(reverse("valorisation:dashboard"), {"annee": "2021"})
    assert response.status_code == 200
    rows = {r.code: r for r in response.context["rows"]}
    assert len(rows) == 18
    bretagne, occitanie = rows["53"], rows["76"]
    assert [d.agency for d in bretagne.declarations] == ["ARS"] and bretagne.declarations[0].is_late  # after 17 May
    assert (bretagne.applications, bretagne.laureates) == (3, 2)
    assert bretagne.laureates_by_axis == {4: 2, 6: 1}
    # Two laureates of 60 000 € each, the envelope topped up locally by as much.
    assert (bretagne.dotation, bretagne.allocated, bretagne.remaining) == (
        Decimal("100000"),
        Decimal("120000"),
        Decimal("100000"),
    )
    assert bretagne.minimum_reached is True  # 120 000 € endowed for a 100 000 € minimum
    assert bretagne.transmitted_at is not None and not occitanie.declarations
    assert (bretagne.verified, bretagne.verified_by_priority, bretagne.backlog) == (2, {2: 1, 8: 2}, 1)
    assert bretagne.backlog_age == 12
    assert bretagne.verified_per_100k == round(200_000 / bretagne.population, 1)
    page = text(response)
    assert "en retard" in page and "Échéances nationales 2021" in page and "<svg" in page


def test_call_manager_sees_only_its_region(client, data):
    client.force_login(manager("ARS", "53"))
    response = client.get(reverse("valorisation:dashboard"))
    assert [r.code for r in response.context["rows"]] == ["53"]
    assert {d.code for d in response.context["board"].departements} == {"22", "29", "35", "56"}
    assert "Occitanie" not in text(response)
    rows = csv_rows(client.get(reverse("valorisation:dashboard-regions-csv")))
    assert [r[0] for r in rows[1:]] == ["53"]


def test_dashboard_outside_ones_scope_is_refused_in_french(client, data):
    client.force_login(manager("ARS", "53"))
    response = client.get(reverse("valorisation:dashboard"), {"region": "76"})
    assert response.status_code == 403
    assert "Cette région n'est pas dans votre périmètre" in text(response)
    assert client.get(reverse("valorisation:dashboard-departements-csv"), {"region": "76"}).status_code == 403
    client.force_login(user_with_role(Role.APPLICANT))
    response = client.get(reverse("valorisation:dashboard"))
    assert response.status_code == 403 and "réservé à l'équipe nationale" in text(response)
    client.logout()
    assert client.get(reverse("valorisation:dashboard")).status_code == 302


def test_bad_year_is_refused_without_500(client, data):
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    assert "Aucune campagne nationale 1999" in text(client.get(reverse("valorisation:dashboard"), {"annee": "1999"}))
    assert client.get(reverse("valorisation:dashboard"), {"annee": "abc"}).status_code == 403


def test_departement_csv_relates_entries_to_population(client, data):
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    rows = {r[0]: r for r in csv_rows(client.get(reverse("valorisation:dashboard-departements-csv")))}
    assert len(rows) == 102  # header + 101 départements
    assert rows["35"][4:6] == ["2", str(round(200_000 / int(rows["35"][3]), 1))]
    assert rows["35"][7] == "1"


def test_query_count_does_not_grow_with_the_data(client, data):
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    url = reverse("valorisation:dashboard")
    client.get(url)  # warm the reference cache
    cache.clear()  # the figures computed again (a cold body)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(4):
        laureate("84", title=f"Projet lyonnais {i}", axes=(1, 2), places=("69123",))
        verified_entry(name=f"Crèche lyonnaise {i}", commune=Commune.objects.get(insee_code="69123"))
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)
