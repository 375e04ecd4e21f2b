"""The commissaire's section of « Mon espace » (issue 20): the training offers of its région
awaiting moderation, with the oldest, and the ways to its moderation queue, the coverage and
its territorial call; nothing of another région's queue."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import user_with_role
from tests.training.factories import OfferFactory, TrainingOrganisationFactory
from tests.workspace.helpers import has_section, section
from tpj.accounts.models import Role
from tpj.territories.models import Commune
from tpj.training.models import OfferState

pytestmark = pytest.mark.django_db


def _submitted(days_ago, commune="35238"):
    organisation = TrainingOrganisationFactory(commune=Commune.objects.get(insee_code=commune))
    return OfferFactory(
        organisation=organisation,
        state=OfferState.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_the_commissaire_sees_its_regions_offers_to_moderate_with_the_oldest(client):
    commissaire = user_with_role(Role.COMMISSAIRE, region="53")
    _submitted(9)
    _submitted(2)
    _submitted(30, commune="75056")  # Paris: another région's queue
    client.force_login(commissaire)
    html = section(client.get(reverse("workspace:index")), "commissaire")
    assert "2 offres de formation en attente de modération" in html
    assert "la plus ancienne depuis 9 jours" in html
    for url in (reverse("training:moderation"), reverse("training:steering"), reverse("calls:index")):
        assert f'href="{url}"' in html


def test_an_empty_queue_is_said_and_other_roles_have_no_such_section(client):
    commissaire = user_with_role(Role.COMMISSAIRE, region="53")
    client.force_login(commissaire)
    html = section(client.get(reverse("workspace:index")), "commissaire")
    assert "Aucune offre de formation n'attend votre modération." in html

    client.force_login(user_with_role(Role.MODERATOR, region="53"))
    assert not has_section(client.get(reverse("workspace:index")), "commissaire")
