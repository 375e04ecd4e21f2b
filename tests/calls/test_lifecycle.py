"""Campaign, declaration of intent, call definition and publication."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.calls.models import Call, Campaign
from tpj.calls.services.calls import create_call, fire_call
from tpj.calls.services.campaigns import declaration_board, declare_intent, save_campaign
from tpj.calls.services.files import validate_pdf
from tpj.core.policy import PermissionDenied

from .factories import CampaignFactory, make_call, manager, pdf_upload

pytestmark = pytest.mark.django_db


def test_2021_defaults_follow_the_instruction():
    values = Campaign.defaults_for(2021)
    assert values["intent_deadline"] == datetime.date(2021, 5, 17)
    assert values["laureates_deadline"] == datetime.date(2021, 8, 31)
    assert values["transmission_deadline"].month == 9
    assert values["projects_start_deadline"] > values["transmission_deadline"]
    assert values["national_dotation"] == 100000
    assert (values["minimum_single"], values["minimum_joint"]) == (100000, 200000)


def test_only_the_national_team_manages_campaigns():
    from tests.factories import user_with_role

    national = user_with_role(Role.NATIONAL_TEAM)
    campaign = save_campaign(Campaign(year=2031, **Campaign.defaults_for(2031)), national)
    assert AuditEvent.objects.for_object(campaign).filter(action="calls.campaign.created").exists()
    with pytest.raises(PermissionDenied):
        save_campaign(Campaign(year=2032, **Campaign.defaults_for(2032)), manager())


def test_campaign_deadlines_must_follow_each_other():
    values = Campaign.defaults_for(2033)
    values["laureates_deadline"] = datetime.date(2033, 4, 1)
    with pytest.raises(ValidationError):
        Campaign(year=2033, **values).full_clean()


def test_declaration_of_intent_and_national_board():
    campaign = CampaignFactory(year=timezone.localdate().year)
    campaign.intent_deadline = timezone.localdate() - datetime.timedelta(days=1)
    campaign.save()
    ars = manager("ARS", "53")
    declaration = declare_intent(ars, campaign, joint=True, referent_name="Anne Référente", referent_email="anne@ars.fr")
    assert declaration.agency == "ARS" and declaration.region_id == "53" and declaration.is_late
    with pytest.raises(ValidationError, match="déjà déclaré"):
        declare_intent(ars, campaign, joint=True, referent_name="Anne", referent_email="anne@ars.fr")
    board = {(r.region.code, r.agency): r for r in declaration_board(campaign)}
    assert len(board) == 36
    assert board[("53", "ARS")].status == "late"
    assert board[("53", "DREETS")].status == "missing"


def test_declaration_on_time_is_not_late():
    campaign = CampaignFactory()
    campaign.intent_deadline = timezone.localdate() + datetime.timedelta(days=3)
    campaign.save()
    declaration = declare_intent(manager("DREETS", "76"), campaign, joint=False, referent_name="D", referent_email="d@x.fr")
    assert not declaration.is_late
    board = {(r.region.code, r.agency): r.status for r in declaration_board(campaign)}
    assert board[("76", "DREETS")] == "on_time" and board[("53", "ARS")] == "pending"


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
