"""A request to manage an entry is its author's data: in « Mes données », and withdrawn with
the account while nobody has decided it (it would otherwise wait in the moderators' queue for
an account that no longer exists); a decided one stays, as the trace of who got the entry."""

import pytest

from tests.factories import UserFactory
from tests.registry.factories import verified_entry
from tpj.privacy import services as privacy
from tpj.registry.models import ClaimState, EntryClaim
from tpj.registry.services import claims

from .conftest import add_reference

pytestmark = pytest.mark.django_db


def test_my_claims_are_in_my_data_export_and_nobody_elses(imported, professional):
    claims.submit_claim(imported, professional, "Je dirige cette crèche depuis 2019.")
    other = UserFactory(with_organisation=True)
    elsewhere = verified_entry(name="Autre crèche", import_source="CAF 35", external_id="L-2")
    add_reference(elsewhere, "siret", other.organisation.siret)
    claims.submit_claim(elsewhere, other, "Pas la mienne")

    exported = privacy.export_user_data(professional)["demandes_de_gestion_de_fiche"]

    assert len(exported) == 1
    assert exported[0]["fiche"] == "Crèche importée des Lilas"
    assert exported[0]["message"] == "Je dirige cette crèche depuis 2019."
    assert exported[0]["state"] == ClaimState.PENDING


def test_deleting_the_account_withdraws_its_pending_claim_from_the_queue(imported, professional):
    claim = claims.submit_claim(imported, professional, "Bonjour")

    summary = privacy.delete_account(professional)

    assert summary["demandes_retirees"] == 1
    assert not EntryClaim.objects.filter(pk=claim.pk).exists()
    assert claims.pending_claims(UserFactory(is_superuser=True)).count() == 0


def test_a_decided_claim_stays_after_the_account_is_deleted(imported, professional, moderator_35):
    claim = claims.submit_claim(imported, professional, "Bonjour")
    claims.decide(claim, "confirm", moderator_35)

    summary = privacy.delete_account(professional)

    assert summary["demandes_retirees"] == 0
    claim.refresh_from_db()
    assert claim.state == ClaimState.CONFIRMED
