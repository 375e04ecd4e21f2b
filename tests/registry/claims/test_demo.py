"""The demo's claim: the professional's pending claim of an imported entry, for the Bretagne moderator."""

import datetime

import pytest
from django.utils import timezone

from tpj.demo import services as demo
from tpj.registry.models import ClaimState, EntryClaim, MatchedOn
from tpj.registry.services import claims

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(monkeypatch):
    monkeypatch.setattr(demo, "MODULE_LOADERS", ["tpj.registry.demo.load"])
    return demo.load_demo()


def test_the_bretagne_moderator_sees_one_claim_matched_on_the_professionals_siret(client, accounts):
    claim = EntryClaim.objects.get()
    assert claim.claimant.email == "pro@demo.1000jours.fr" and claim.state == ClaimState.PENDING
    assert claim.matched_on == MatchedOn.SIRET and not claim.entry.members.exists() and claim.entry.is_published
    assert timezone.now() - claim.created_at >= datetime.timedelta(days=2)
    bretagne, rhone = accounts["moderateur.bretagne@demo.1000jours.fr"], accounts["moderateur.rhone@demo.1000jours.fr"]
    assert list(claims.pending_claims(bretagne)) == [claim] and not claims.pending_claims(rhone).exists()
    client.force_login(bretagne)
    page = client.get("/annuaire/moderation/revendications/").content.decode()
    assert "1 demande en attente" in page and "Cabinet de sages-femmes de la rue de Nemours" in page


def test_loading_the_demo_again_adds_no_claim(accounts, monkeypatch):
    demo.load_demo()
    assert EntryClaim.objects.count() == 1
