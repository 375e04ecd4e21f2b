"""Money counted once (issue 13 §2), on SQLite and PostgreSQL.

An agency's national dotation exists once per campaign: with a joint ARS-DREETS call open in
Bretagne, neither agency may start its own call of the same campaign (its dotation would be
given, counted on the dashboard and spent twice). A closed or transmitted campaign takes no new
call. Both rules hold in the services (French 409/400 in the API, form errors on the pages)
and in the database (unique constraint `one_dotation_per_agency_and_campaign`, trigger
`calls_campaign_open_guard`).
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.calls.factories import CampaignFactory, declared, make_call, manager
from tpj.calls.models import Call, Campaign, Envelope
from tpj.nomenclatures.models import FundingSource
from tpj.valorisation.dashboard import build

pytestmark = pytest.mark.django_db

BRETAGNE = "53"


def bretagne_dotation(campaign) -> Decimal:
    (row,) = build(regions=[BRETAGNE], campaign=campaign).rows
    return row.dotation


@pytest.mark.parametrize("agency", ["ARS", "DREETS"])
def test_an_agency_in_the_joint_call_cannot_start_its_own_call_of_the_campaign(api_client, agency):
    campaign = CampaignFactory()
    make_call(strand="joint", region=BRETAGNE, campaign=campaign)
    assert bretagne_dotation(campaign) == Decimal("200000")
    api_client.force_authenticate(manager(agency, BRETAGNE))

    response = api_client.post("/api/v1/calls/", {"strand": agency.lower(), "year": campaign.year}, format="json")

    assert response.status_code == 409, response.json()
    assert "dotation nationale" in response.json()["detail"] and "déjà part à l'appel" in response.json()["detail"]
    assert Call.objects.filter(campaign=campaign, region_id=BRETAGNE).count() == 1
    assert bretagne_dotation(campaign) == Decimal("200000")


def test_the_joint_call_is_refused_once_an_agency_runs_its_own_and_two_own_calls_keep_two_dotations(api_client):
    campaign = CampaignFactory()
    make_call(strand="ars", region=BRETAGNE, campaign=campaign)
    dreets = manager("DREETS", BRETAGNE)
    declared(dreets, campaign)  # a call rests on its agency's declaration of intent
    api_client.force_authenticate(dreets)

    joint = api_client.post("/api/v1/calls/", {"strand": "joint", "year": campaign.year}, format="json")
    assert joint.status_code == 409 and "ARS de votre région" in joint.json()["detail"], joint.json()
    own = api_client.post("/api/v1/calls/", {"strand": "dreets", "year": campaign.year}, format="json")
    assert own.status_code == 201, own.json()
    again = api_client.post("/api/v1/calls/", {"strand": "dreets", "year": campaign.year}, format="json")
    assert again.status_code == 409 and "existe déjà" in again.json()["detail"]
    # one dotation per agency: 100 000 € for the ARS call, 100 000 € for the DREETS call
    assert bretagne_dotation(campaign) == Decimal("200000")


@pytest.mark.parametrize("state", [Campaign.State.CLOSED, Campaign.State.TRANSMITTED])
def test_a_closed_or_transmitted_campaign_takes_no_new_call_api_and_page(api_client, client, state):
    campaign = CampaignFactory(year=2021)
    Campaign.objects.filter(pk=campaign.pk).update(state=state)
    ars = manager("ARS", BRETAGNE)
    api_client.force_authenticate(ars)

    response = api_client.post("/api/v1/calls/", {"strand": "joint", "year": 2021}, format="json")
    assert response.status_code == 400, response.json()
    assert "La campagne 2021 est" in response.json()["campaign"][0]

    client.force_login(ars)
    page = client.post(reverse("calls:call-create"), {"strand": "joint", "campaign": campaign.pk})
    assert page.status_code == 400
    assert page.context["form"].errors["campaign"] == [
        "Cette campagne n'est pas ouverte : elle ne reçoit plus de nouvel appel à projets."
    ]
    assert not Call.objects.filter(campaign=campaign).exists()
    assert bretagne_dotation(campaign) == 0


def test_a_campaign_closed_by_the_national_team_refuses_calls_and_declarations(api_client):
    from tests.factories import user_with_role
    from tpj.accounts.models import Role
    from tpj.calls.services.campaigns import declare_intent, save_campaign

    campaign = CampaignFactory()
    campaign.state = Campaign.State.CLOSED
    save_campaign(campaign, user_with_role(Role.NATIONAL_TEAM))
    dreets = manager("DREETS", BRETAGNE)
    with pytest.raises(Exception, match="ne reçoit plus de nouvel appel"):
        declare_intent(dreets, campaign, joint=True, referent_name="Denis", referent_email="denis@dreets.fr")
    api_client.force_authenticate(dreets)
    assert api_client.post("/api/v1/calls/", {"strand": "dreets", "year": campaign.year}, format="json").status_code == 400


def test_the_database_holds_one_dotation_per_agency_and_campaign():
    campaign = CampaignFactory()
    joint = make_call(strand="joint", region=BRETAGNE, campaign=campaign)
    # a call written without the service (its strand is free: the constraint is on the money)
    own = Call.objects.create(campaign=campaign, region_id=BRETAGNE, strand=Call.Strand.ARS, created_by=joint.manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.create(
            call=own, agency="ARS", funding_source=FundingSource.objects.get(agency="ARS"), national_dotation=Decimal("100000")
        )
    assert Envelope.objects.filter(campaign=campaign, region_id=BRETAGNE, agency="ARS").count() == 1


@pytest.mark.parametrize("state", [Campaign.State.CLOSED, Campaign.State.TRANSMITTED])
def test_the_database_refuses_a_call_in_a_campaign_that_is_not_open(state):
    campaign = CampaignFactory()
    call = make_call(strand="joint", region=BRETAGNE, campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(state=state)
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.create(campaign=campaign, region_id="76", strand=Call.Strand.ARS, created_by=call.manager)
    # the calls already there go on: a transition saves the call's row
    call.summary = "Toujours modifiable"
    call.save()
    assert Call.objects.filter(campaign=campaign).count() == 1
