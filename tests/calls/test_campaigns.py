"""Campaigns and the declarations of intent: defaults, deadlines, who manages them, the national board."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.calls.models import Call, Campaign, IntentDeclaration
from tpj.calls.services.calls import create_call
from tpj.calls.services.campaigns import declaration_board, declare_intent, save_campaign
from tpj.core.policy import PermissionDenied

from .factories import CampaignFactory, make_call, manager

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


# -- a call rests on a declaration of intent; any open campaign can be declared for -------------


def test_a_call_without_its_agencys_declaration_is_refused_with_what_to_do():
    campaign = CampaignFactory(year=2031)
    dreets = manager("DREETS", "53")
    with pytest.raises(ValidationError) as refused:
        create_call(dreets, campaign, "dreets")
    message = refused.value.message_dict["campaign"][0]
    assert "n'a pas déclaré son intention" in message and "campagne 2031" in message
    assert "« Déclaration d'intention »" in message and "en retard" not in message  # the 2031 deadline is ahead
    assert not Call.objects.filter(campaign=campaign).exists()


def test_after_the_deadline_the_late_declaration_is_taken_audited_and_shown_then_the_call_created():
    campaign = CampaignFactory(year=2030)
    Campaign.objects.filter(pk=campaign.pk).update(intent_deadline=timezone.localdate() - datetime.timedelta(days=5))
    campaign.refresh_from_db()
    ars = manager("ARS", "53")
    with pytest.raises(ValidationError, match="enregistrée en retard"):
        create_call(ars, campaign, "joint")
    declaration = declare_intent(ars, campaign, joint=True, referent_name="Anne", referent_email="anne@ars.fr")
    assert declaration.is_late
    event = AuditEvent.objects.for_object(declaration).get(action="calls.intent.declared")
    assert event.after["late"] is True
    board = {(r.region.code, r.agency): r for r in declaration_board(campaign)}
    assert board[("53", "ARS")].status_label == "Déclarée en retard"
    call = create_call(ars, campaign, "joint")
    # a joint call rests on either agency's declaration: the DREETS runs it with the ARS
    assert call.campaign == campaign


def test_a_joint_call_may_be_created_by_the_agency_that_did_not_declare():
    campaign = CampaignFactory(year=2032)
    declare_intent(manager("ARS", "53"), campaign, joint=True, referent_name="Anne", referent_email="anne@ars.fr")
    assert create_call(manager("DREETS", "53"), campaign, "joint").strand == "joint"


def test_a_call_created_before_declarations_were_required_is_shown_so_on_the_board():
    campaign = CampaignFactory(year=2033)
    make_call(campaign=campaign)
    IntentDeclaration.objects.filter(campaign=campaign).delete()
    board = {(r.region.code, r.agency): r.status_label for r in declaration_board(campaign)}
    assert board[("53", "ARS")] == board[("53", "DREETS")] == "Appel lancé sans déclaration"
    assert board[("76", "ARS")] in ("Non déclarée", "Pas encore déclarée")


def test_the_declaration_page_offers_every_open_campaign_not_yet_declared_nearest_first(client):
    today = timezone.localdate()
    this_year = CampaignFactory(year=today.year)
    Campaign.objects.filter(pk=this_year.pk).update(
        intent_deadline=today - datetime.timedelta(days=30), transmission_deadline=today - datetime.timedelta(days=1)
    )
    next_year = CampaignFactory(year=today.year + 1)
    closed = CampaignFactory(year=today.year + 2, state=Campaign.State.CLOSED)
    ars = manager("ARS", "53")
    client.force_login(ars)

    page = client.get(reverse("calls:declare"))
    form = page.context["form"]
    assert list(form.fields["campaign"].queryset) == [this_year, next_year]  # never the closed one
    assert form["campaign"].value() == next_year.pk  # the current one's lists are already due
    text = page.content.decode()
    assert f"Campagne {today.year} — échéance passée le" in text and "enregistrée en retard" in text
    assert f"Campagne {today.year + 1} — à déclarer au plus tard le" in text
    assert client.get(reverse("calls:declare"), {"campagne": this_year.pk}).context["form"]["campaign"].value() == (this_year.pk)

    refused = client.post(
        reverse("calls:declare"), {"campaign": closed.pk, "referent_name": "Anne", "referent_email": "anne@ars.fr"}
    )
    assert refused.status_code == 400 and "n'est pas ouverte" in refused.context["form"].errors["campaign"][0]
    response = client.post(
        reverse("calls:declare"),
        {"campaign": next_year.pk, "referent_name": "Anne", "referent_email": "anne@ars.fr", "confirm": "1"},
    )
    assert response.status_code == 302
    declaration = IntentDeclaration.objects.get(campaign=next_year, region_id="53", agency="ARS")
    assert not declaration.is_late

    page = client.get(reverse("calls:declare"))
    assert list(page.context["form"].fields["campaign"].queryset) == [this_year]
    assert f"Campagne {today.year + 1} : déclarée le" in page.content.decode()


def test_the_call_creation_page_defaults_to_the_nearest_open_campaign_and_links_to_the_declaration(client):
    today = timezone.localdate()
    CampaignFactory(year=today.year, state=Campaign.State.CLOSED)
    next_year = CampaignFactory(year=today.year + 1)
    ars = manager("ARS", "53")
    client.force_login(ars)
    page = client.get(reverse("calls:call-create"))
    assert page.context["form"]["campaign"].value() == next_year.pk
    assert f"{reverse('calls:declare')}?campagne={next_year.pk}" in page.content.decode()
    refused = client.post(reverse("calls:call-create"), {"strand": "joint", "campaign": next_year.pk})
    assert refused.status_code == 400
    assert "n'a pas déclaré son intention" in refused.context["form"].errors["campaign"][0]


def test_the_national_dashboard_never_says_none_beside_a_call(client):
    campaign = CampaignFactory(year=2034)
    make_call(campaign=campaign)
    IntentDeclaration.objects.filter(campaign=campaign).delete()
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    page = client.get(reverse("valorisation:dashboard"), {"annee": "2034"}).content.decode()
    bretagne = page[page.index('<th scope="row">Bretagne</th>') :]
    bretagne = bretagne[: bretagne.index("</tr>")]
    assert "appel lancé sans déclaration" in bretagne and "aucune" not in bretagne
