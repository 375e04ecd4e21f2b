"""The catalogue's open-data files: CSV, JSON and LHEO 2.3 (validated against its XSD)."""

import csv
import datetime
import io
import json
import pathlib
import xml.etree.ElementTree as ET

import pytest
import xmlschema
from django.urls import reverse
from django.utils import timezone

from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, published_offer
from tpj.territories.models import Commune
from tpj.training import exports
from tpj.training.exports import source as _source  # noqa: F401  (exports.source, patched below)
from tpj.training.models import OfferState

pytestmark = pytest.mark.django_db

XSD = pathlib.Path(exports.__file__).parent.parent / "lheo" / "lheo-2.3.xsd"
NS = {"l": exports.LHEO_NAMESPACE}


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(XSD)


def _get(client, fmt):
    response = client.get(reverse("training:export", args=[fmt]))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def today():
    """Today in Paris, read when the test runs as the factories read it (a date taken when the
    module is imported is yesterday's for tests that run after midnight)."""
    return timezone.localdate()


@pytest.fixture
def catalogue(db, today):
    """A published offer in Rennes and remotely, a published offer whose sessions are over, and
    offers in draft, awaiting moderation and refused (each with a session to come)."""
    rennes = Commune.objects.get(insee_code="35238")
    offer = published_offer(
        title="Éveil au langage",
        organisation=TrainingOrganisationFactory(name="Institut Petite Enfance", siret="21350238800019"),
        audiences=["eaje", "assistant_maternel"],
        funding_routes=["volet_national", "opco"],
        price_cents=35050,
        duration_hours="10.5",
        contact_email="contact@institut.example.fr",
    )
    SessionFactory(offer=offer, commune=None, is_remote=True, start_date=today + datetime.timedelta(days=60), seats_left=0)
    past = published_offer(title="Formation passée")
    past.sessions.update(start_date=today - datetime.timedelta(days=10), end_date=today - datetime.timedelta(days=9))
    for state in (OfferState.DRAFT, OfferState.SUBMITTED, OfferState.REJECTED):
        SessionFactory(offer=OfferFactory(state=state, title=f"Caché {state}"), commune=rennes)
    return offer


def test_the_csv_has_one_row_per_session_to_come_of_published_offers_only(client, catalogue, today):
    response, body = _get(client, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="catalogue-formations.csv"' in response["Content-Disposition"]
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert [row["intitule"] for row in rows] == ["Éveil au langage", "Éveil au langage"]
    first, remote = rows
    assert first["organisme"] == "Institut Petite Enfance" and first["siret"] == "21350238800019"
    assert first["publics"] == "Professionnel·le d'EAJE|Assistant·e maternel·le"
    assert first["voies_de_financement"] == "Volet national du plan de formation|OPCO"
    assert first["prix_euros"] == "350,50" and first["duree_heures"] == "10,50"
    assert first["debut"] == (today + datetime.timedelta(days=30)).isoformat()
    assert (first["commune"], first["code_insee"], first["a_distance"]) == ("Rennes", "35238", "non")
    assert (remote["commune"], remote["code_insee"], remote["a_distance"], remote["places_restantes"]) == ("", "", "oui", "0")
    assert first["page"].endswith(reverse("training:offer", args=[catalogue.pk]))
    assert "Caché" not in body and "Formation passée" not in body


def test_a_title_that_looks_like_a_formula_is_neutralised_in_the_csv(client):
    published_offer(title='=HYPERLINK("https://pirate.example","Cliquez")')
    _, body = _get(client, "csv")
    row = next(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert row["intitule"] == '\'=HYPERLINK("https://pirate.example","Cliquez")'


def test_the_json_lists_offers_with_their_sessions_nested(client, catalogue, today):
    response, body = _get(client, "json")
    assert response["Content-Type"] == "application/json"
    offers = json.loads(body)
    assert len(offers) == 1
    offer = offers[0]
    assert offer["identifiant"] == catalogue.pk and offer["intitule"] == "Éveil au langage"
    assert offer["organisme"]["numero_declaration_activite"] == "53350000035"
    assert offer["prix_euros"] == 350.5 and offer["duree_heures"] == 10.5
    assert offer["publics"][0] == {"code": "eaje", "libelle": "Professionnel·le d'EAJE"}
    assert [s["a_distance"] for s in offer["sessions"]] == [False, True]
    assert offer["sessions"][0]["debut"] == (today + datetime.timedelta(days=30)).isoformat()
    assert offer["sessions"][1]["commune"] is None and offer["sessions"][1]["places_restantes"] == 0


def test_an_empty_catalogue_is_an_empty_list_and_a_header_line(client):
    assert json.loads(_get(client, "json")[1]) == []
    assert _get(client, "csv")[1].strip("\ufeff\r\n").split(";")[0] == "identifiant_offre"


def test_the_lheo_export_validates_against_the_lheo_2_3_schema(client, catalogue, schema, today):
    # Texts at the edges of LHEO's limits: long, with a control character pasted in.
    published_offer(
        title="Jeux & <découvertes>\x0b",
        objectives="",
        programme="x" * 5000,
        format="",
        price_cents=None,
        duration_hours=None,
        funding_routes=[],
        registration_url="",
        organisation=TrainingOrganisationFactory(name="O" * 255),
    )
    response, body = _get(client, "xml")
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    schema.validate(body)  # raises with the first error
    root = ET.fromstring(body)
    formations = root.findall("l:offres/l:formation", NS)
    assert [f.findtext("l:intitule-formation", namespaces=NS) for f in formations] == [
        "Éveil au langage",
        "Jeux & <découvertes>",
    ]
    rennes, remote = formations[0].findall("l:action", NS)
    assert rennes.findtext("l:lieu-de-formation/l:coordonnees/l:adresse/l:code-INSEE-commune", namespaces=NS) == "35238"
    assert remote.find("l:lieu-de-formation", NS) is None
    start = today + datetime.timedelta(days=30)
    assert rennes.findtext("l:session/l:periode/l:debut", namespaces=NS) == start.strftime("%Y%m%d")
    assert remote.findtext("l:session/l:etat-recrutement", namespaces=NS) == "2"  # full: closed
    responsible = formations[0].find("l:organisme-formation-responsable", NS)
    assert responsible.findtext("l:numero-activite", namespaces=NS) == "53350000035"
    assert responsible.findtext("l:SIRET-organisme-formation/l:SIRET", namespaces=NS) == "21350238800019"
    assert rennes.findtext("l:prix-total-TTC", namespaces=NS) == "350.50"
    assert [c.text for c in rennes.findall("l:organisme-financeur/l:code-financeur", NS)] == ["13", "16"]
    assert "Caché" not in body and "Formation passée" not in body


def test_the_schema_refuses_a_formation_without_its_organisation(client, catalogue, schema):
    body = _get(client, "xml")[1]
    root = ET.fromstring(body)
    formation = root.find("l:offres/l:formation", NS)
    formation.remove(formation.find("l:organisme-formation-responsable", NS))
    assert not schema.is_valid(ET.tostring(root, encoding="unicode"))


def test_the_search_page_offers_the_three_files_with_their_size_once_known(client, catalogue):
    page = client.get(reverse("training:search")).content.decode()
    assert "Télécharger le catalogue" in page
    for fmt, label in (("csv", "CSV"), ("json", "JSON"), ("xml", "LHEO (XML)")):
        assert f'href="{reverse("training:export", args=[fmt])}"' in page
        assert f'<span class="fr-link__detail">{label}</span>' in page
    body = _get(client, "csv")[1]
    size = len(body.encode("utf-8"))
    page = client.get(reverse("training:search")).content.decode()
    assert f"CSV, environ {size} o" in page


def test_an_unknown_format_is_not_found(client):
    assert client.get(reverse("training:export", args=["pdf"])).status_code == 404


def test_the_exports_read_by_batches(client, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(exports.source, "BATCH", 2)
    for _ in range(5):
        published_offer()
    # 2 for the themes, then per batch of 2 offers: themes, audiences, funding routes, sessions
    # (3 batches), plus the offers' reads and the session/transaction overhead.
    with django_assert_max_num_queries(2 + 3 * 4 + 6):
        offers = json.loads(_get(client, "json")[1])
    assert len(offers) == 5 and all(len(o["sessions"]) == 1 for o in offers)
