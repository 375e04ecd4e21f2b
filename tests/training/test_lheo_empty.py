"""The LHEO file of an empty catalogue (no published offer with a session to come) is still a
valid LHEO 2.3 document: the schema's minimal one, an empty `lheo-plus`."""

import datetime
import pathlib
import xml.etree.ElementTree as ET

import pytest
import xmlschema
from django.urls import reverse
from django.utils import timezone

from tests.training.factories import OfferFactory, SessionFactory, published_offer
from tpj.training import exports
from tpj.training.models import OfferState

pytestmark = pytest.mark.django_db

XSD = pathlib.Path(exports.__file__).parent.parent / "lheo" / "lheo-2.3.xsd"
NS = exports.LHEO_NAMESPACE


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(XSD)


def lheo(client) -> str:
    response = client.get(reverse("training:export", args=["xml"]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def test_an_empty_catalogue_is_a_valid_lheo_document_without_formation(client, schema):
    # Nothing public: a draft, an offer awaiting moderation, a published offer whose sessions are over.
    SessionFactory(offer=OfferFactory(state=OfferState.DRAFT))
    SessionFactory(offer=OfferFactory(state=OfferState.SUBMITTED))
    past = published_offer(title="Formation passée")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    past.sessions.update(start_date=yesterday, end_date=yesterday)
    body = lheo(client)
    schema.validate(body)  # raises with the first error
    root = ET.fromstring(body)
    assert root.tag == f"{{{NS}}}lheo-plus"
    assert root.get("horodatage-export")
    assert list(root.iter(f"{{{NS}}}formation")) == []


def test_the_schema_refuses_an_empty_offres_which_is_why_the_export_avoids_it(schema):
    empty = f'<lheo xmlns="{NS}"><offres/></lheo>'
    assert not schema.is_valid(empty)


def test_a_published_offer_brings_the_usual_lheo_root_back(client, schema):
    published_offer(title="Éveil au langage")
    body = lheo(client)
    schema.validate(body)
    root = ET.fromstring(body)
    assert root.tag == f"{{{NS}}}lheo"
    assert [t.text for t in root.iter(f"{{{NS}}}intitule-formation")] == ["Éveil au langage"]
