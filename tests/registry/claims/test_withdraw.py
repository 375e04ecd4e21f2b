"""A claimant can withdraw a claim while nobody has decided it: it leaves the moderators'
queue, the history says who withdrew it and when, and the entry can be claimed again. Once
decided, or by anyone else, nothing changes and a French message says why."""

import pytest

from tests.factories import UserFactory
from tpj.audit.models import AuditEvent
from tpj.notifications.models import Notification
from tpj.registry.models import ClaimState, EntryClaim
from tpj.registry.services import claims

pytestmark = pytest.mark.django_db


def withdraw_url(claim):
    return f"/annuaire/revendications/{claim.pk}/retirer/"


def test_the_claimant_withdraws_from_the_entry_page_and_may_claim_again(client, imported, professional, moderator_35):
    claim = claims.submit_claim(imported, professional, "Je dirige cette crèche.")
    notified = Notification.objects.count()
    client.force_login(professional)
    page = client.get(f"/annuaire/fiches/{imported.pk}/").content.decode()
    assert "Retirer ma demande" in page and withdraw_url(claim) in page

    response = client.post(withdraw_url(claim), follow=True)

    claim.refresh_from_db()
    assert claim.state == ClaimState.WITHDRAWN
    assert "Votre demande est retirée" in response.content.decode()
    assert "Revendiquer cette fiche" in response.content.decode()  # the entry may be claimed again
    event = AuditEvent.objects.for_object(claim).get(action="registry.claim.withdraw")
    assert (event.actor, event.from_state, event.to_state) == (professional, "pending", "withdrawn")
    assert Notification.objects.count() == notified  # nobody is told
    assert not claims.pending_claims(moderator_35).exists()
    assert claims.submit_claim(imported, professional, "Finalement, si.").state == ClaimState.PENDING


def test_nobody_else_withdraws_it(client, imported, professional, moderator_35):
    claim = claims.submit_claim(imported, professional)
    for someone in (UserFactory(), moderator_35):
        client.force_login(someone)
        assert client.post(withdraw_url(claim)).status_code == 403
    claim.refresh_from_db()
    assert claim.state == ClaimState.PENDING


def test_a_decided_claim_cannot_be_withdrawn(client, imported, professional, moderator_35):
    claim = claims.submit_claim(imported, professional)
    claims.decide(claim, "refuse", moderator_35, "Vous n'êtes pas la gestionnaire de cette crèche.")
    client.force_login(professional)

    response = client.post(withdraw_url(claim), follow=True)

    assert response.status_code == 200
    assert EntryClaim.objects.get(pk=claim.pk).state == ClaimState.REFUSED
    assert not AuditEvent.objects.filter(action="registry.claim.withdraw").exists()


def test_a_get_changes_nothing(client, imported, professional):
    claim = claims.submit_claim(imported, professional)
    client.force_login(professional)
    assert client.get(withdraw_url(claim)).status_code == 405
    assert EntryClaim.objects.get(pk=claim.pk).state == ClaimState.PENDING
