"""The platform's open-data page lists the training catalogue's three files (CSV, JSON, LHEO)
with their format, the platform's licence, their columns and the LHEO note."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.training.factories import published_offer
from tpj.training.exports.tabular import CSV_COLUMNS
from tpj.valorisation import opendata

pytestmark = pytest.mark.django_db

FILES = {
    "formations-csv": ("/formations/export/catalogue.csv", "CSV"),
    "formations-json": ("/formations/export/catalogue.json", "JSON"),
    "formations-lheo": ("/formations/export/catalogue.xml", "XML (LHEO 2.3)"),
}


def test_the_open_data_page_lists_the_catalogue_files_with_format_licence_and_lheo_note(client):
    page = html.unescape(client.get(reverse("valorisation:opendata")).content.decode())
    for slug, (path, fmt) in FILES.items():
        section = page.split(f'id="{slug}"', 1)[1].split("</section>", 1)[0]
        assert path in section, slug
        assert f"Format : {fmt}" in section
        assert "Licence : Licence Ouverte / Open Licence version 2.0" in section
        assert "Offre de formation Enfance=Égalité (Module 4)" in section
        assert "aucune donnée publiée pour l'instant" in section  # nothing published yet
    lheo = page.split('id="formations-lheo"', 1)[1].split("</section>", 1)[0]
    assert "valide selon le schéma XSD de LHEO 2.3" in lheo and "Carif-Oref" in lheo


def test_each_catalogue_csv_column_is_described():
    (dataset,) = [d for d in opendata.datasets() if d.slug == "formations-csv"]
    columns = dict(opendata.documented(dataset.columns))
    assert list(columns) == CSV_COLUMNS
    assert all(columns.values()), [name for name, doc in columns.items() if not doc]


def test_the_machine_readable_catalogue_dates_the_files_by_the_last_publication(client):
    offer = published_offer(published_at=timezone.now() - datetime.timedelta(days=3))
    published_offer(published_at=None)  # published before the date was kept: not the last
    catalogue = {d["identifiant"]: d for d in client.get(reverse("valorisation:opendata-catalogue")).json()["jeux_de_donnees"]}
    for slug, (path, fmt) in FILES.items():
        item = catalogue[slug]
        assert item["url"].endswith(path) and item["format"] == fmt
        assert item["licence"]["name"] == "Licence Ouverte / Open Licence version 2.0"
        assert item["mise_a_jour"] == offer.published_at.isoformat()
    assert "LHEO 2.3" in catalogue["formations-lheo"]["remarque"]
    assert catalogue["formations-csv"]["remarque"] is None
    assert {"nom": "places_restantes", "description": "places encore disponibles"} in catalogue["formations-csv"]["schema"]


def test_the_stable_addresses_serve_the_files(client):
    for path, _ in FILES.values():
        assert client.get(path).status_code == 200
