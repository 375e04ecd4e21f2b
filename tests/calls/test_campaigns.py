"""Campaigns and the declarations of intent: defaults, deadlines, who manages them, the national board."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.calls.models import Campaign
from tpj.calls.services.campaigns import declaration_board, declare_intent, save_campaign
from tpj.core.policy import PermissionDenied

from .factories import CampaignFactory, manager

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
