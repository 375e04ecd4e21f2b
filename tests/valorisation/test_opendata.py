"""Open data page: every public export with its stable URL, schema, licence and update date."""

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.valorisation import services

from .factories import BIRTHS, DeploymentFactory, laureate

pytestmark = pytest.mark.django_db


def test_open_data_page_lists_every_public_export_with_licence(client):
    laureate("53")
    response = client.get(reverse("valorisation:opendata"))
    page = response.content.decode()
    assert response.status_code == 200
    for path in [
        "/annuaire/export.csv",
        "/annuaire/export.geojson",
        "/valorisation/projets/projets-laureats.csv",
        "/valorisation/projets/projets-laureats.geojson",
        "/valorisation/donnees/subventions-scdl.csv",
        "/valorisation/mesures/mesures-nationales.csv",
        "/valorisation/donnees/repartition-postes.csv",
    ]:
        assert path in page, path
    assert "Licence Ouverte / Open Licence version 2.0" in page
    assert "schema.data.gouv.fr/scdl/subventions" in page


def test_catalogue_json_gives_update_dates_from_live_data(client):
    DeploymentFactory()
    catalogue = {d["identifiant"]: d for d in client.get(reverse("valorisation:opendata-catalogue")).json()["jeux_de_donnees"]}
    assert catalogue["deploiements"]["mise_a_jour"] is not None
    assert catalogue["repartition-postes"]["mise_a_jour"] is None  # nothing computed yet
    assert {"nom": "postes attribués", "description": "postes entiers attribués à la région"} in catalogue["repartition-postes"][
        "schema"
    ]
    assert catalogue["subventions-scdl"]["schema"] == "https://schema.data.gouv.fr/scdl/subventions/"


def test_latest_apportionment_has_a_stable_url(client):
    assert client.get(reverse("valorisation:opendata-apportionment")).status_code == 404
    national = user_with_role(Role.NATIONAL_TEAM)
    table = services.import_births(user=national, year=2020, source="test", births=BIRTHS)
    services.apportion(user=national, table=table, total=100)
    latest = services.apportion(user=national, table=table, total=120)
    body = b"".join(client.get(reverse("valorisation:opendata-apportionment")).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert sum(int(r[-1]) for r in rows[1:]) == latest.total == 120


def test_national_scdl_export_lists_transmitted_laureates_only(client):
    laureate("53", title="Projet transmis")
    laureate("76", title="Projet non transmis", transmitted=False, places=("31555",))
    body = b"".join(client.get(reverse("valorisation:opendata-scdl")).streaming_content).decode()
    assert body.startswith("nomAttribuant,idAttribuant")
    assert "Projet non transmis" not in body


def test_public_exports_neutralise_a_formula_planted_in_a_project_title(client):
    laureate("53", title='=HYPERLINK("http://x","y")')
    body = b"".join(client.get("/valorisation/projets/projets-laureats.csv").streaming_content).decode("utf-8-sig")
    assert [r["projet"] for r in csv.DictReader(io.StringIO(body), delimiter=";")] == ['\'=HYPERLINK("http://x","y")']
    scdl = b"".join(client.get(reverse("valorisation:opendata-scdl")).streaming_content).decode()
    assert {r["objet"] for r in csv.DictReader(io.StringIO(scdl))} == {'\'=HYPERLINK("http://x","y")'}
