"""Call definition and publication: official title, envelopes, strands, calendar, cahier des charges."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tpj.audit.models import AuditEvent
from tpj.calls.models import Call
from tpj.calls.services.calls import create_call, fire_call
from tpj.calls.services.files import validate_pdf
from tpj.core.policy import PermissionDenied

from .factories import CampaignFactory, make_call, manager, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("strand", "ending", "envelopes"),
    [
        ("ars", "initiatives en faveur de la santé du jeune enfant", ["ARS"]),
        ("dreets", "initiatives en faveur de l'accompagnement des parents", ["DREETS"]),
        ("joint", "initiatives en faveur de la santé du jeune enfant et de l'accompagnement des parents", ["ARS", "DREETS"]),
    ],
)
def test_official_title_and_one_envelope_per_agency(strand, ending, envelopes):
    call = make_call(strand=strand, state=Call.State.DRAFT)
    assert call.title == f"1000 premiers jours en Bretagne : {ending}"
    assert sorted(e.agency for e in call.envelopes.all()) == envelopes
    assert all(e.total == 100000 for e in call.envelopes.all())
    assert call.axes.count() == 6 and call.criteria.count() >= 2


def test_an_agency_alone_only_launches_its_own_strand():
    with pytest.raises(ValidationError, match="volet"):
        create_call(manager("DREETS"), CampaignFactory(), "ars")


def test_calendar_warnings_do_not_block_publication():
    call = make_call(state=Call.State.DRAFT)
    call.laureates_date = call.campaign.laureates_deadline + datetime.timedelta(days=10)
    call.projects_start_date = call.campaign.projects_start_deadline + datetime.timedelta(days=30)
    call.save()
    warnings = call.calendar_warnings()
    assert any("après l'échéance nationale" in w for w in warnings)
    assert any("début de l'automne" in w for w in warnings)
    call = fire_call(call, call.created_by, "publish")
    assert call.state == Call.State.PUBLISHED and call.published_at


def test_publication_requires_deadline_and_cahier_des_charges():
    call = make_call(state=Call.State.DRAFT)
    call.cahier_des_charges = None
    call.applications_deadline = None
    call.save()
    with pytest.raises(ValidationError) as error:
        fire_call(call, call.created_by, "publish")
    assert "Joignez le cahier des charges (PDF)." in error.value.messages
    call.refresh_from_db()
    assert call.state == Call.State.DRAFT


def test_non_pdf_cahier_des_charges_is_refused_by_content():
    fake = SimpleUploadedFile("cahier.pdf", b"PK\x03\x04 this is a zip (docx) renamed", content_type="application/pdf")
    with pytest.raises(ValidationError, match="n'est pas un PDF"):
        validate_pdf(fake)
    validate_pdf(pdf_upload())


def test_a_manager_of_another_region_or_agency_cannot_publish():
    call = make_call(strand="ars", state=Call.State.DRAFT)
    for outsider in (manager("ARS", "76"), manager("DREETS", "53")):
        with pytest.raises(PermissionDenied):
            fire_call(call, outsider, "publish")
    assert AuditEvent.objects.for_object(call).filter(action="calls.call.publish").count() == 0
