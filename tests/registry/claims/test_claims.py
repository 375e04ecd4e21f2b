"""Claiming an entry: the workflow, its audit, who is told, the moderators' scope, bad input."""

import re

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory, user_with_role
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.core import policy
from tpj.notifications.models import Notification
from tpj.outbox.models import OutgoingEmail
from tpj.registry.models import ClaimState, EntryClaim, MatchedOn
from tpj.registry.services import claims

pytestmark = pytest.mark.django_db


def claim_url(entry):
    return f"/annuaire/fiches/{entry.pk}/revendiquer/"


def test_claim_confirm_makes_the_claimant_a_member_and_everything_is_audited(client, imported, professional, moderator_35):
    client.force_login(professional)
    response = client.post(claim_url(imported), {"message": "Je dirige cette crèche depuis 2019."})
    assert response.status_code == 302 and response["Location"] == f"/annuaire/fiches/{imported.pk}/"
    claim = EntryClaim.objects.get()
    assert (claim.state, claim.matched_on, claim.claimant) == (ClaimState.PENDING, MatchedOn.SIRET, professional)
    assert "Votre demande du" in client.get(f"/annuaire/fiches/{imported.pk}/").content.decode()

    client.force_login(moderator_35)
    queue = client.get("/annuaire/moderation/revendications/").content.decode()
    assert "Crèche importée des Lilas" in queue and "correspondance par SIRET" in queue
    response = client.post(f"/annuaire/moderation/revendications/{claim.pk}/", {"decision": "confirm"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.CONFIRMED and claim.decided_by == moderator_35 and claim.decided_at
    assert list(imported.members.all()) == [professional]

    history = [(e.action, e.from_state, e.to_state) for e in AuditEvent.objects.for_object(claim).order_by("pk")]
    assert history == [("registry.claim.submit", "draft", "pending"), ("registry.claim.confirm", "pending", "confirmed")]
    added = AuditEvent.objects.for_object(imported).get(action="registry.member_added")
    assert added.actor == moderator_35 and added.reason == professional.email

    client.force_login(professional)
    assert "Crèche importée des Lilas" in client.get("/annuaire/mes-fiches/").content.decode()


def test_a_refusal_needs_a_reason_which_the_claimant_receives(client, imported, professional, moderator_35):
    claim = claims.submit_claim(imported, professional, "")
    client.force_login(moderator_35)
    url = f"/annuaire/moderation/revendications/{claim.pk}/"
    response = client.post(url, {"decision": "refuse", "reason": ""})
    assert response.status_code == 400 and "Indiquez un motif" in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == ClaimState.PENDING

    client.post(url, {"decision": "refuse", "reason": "Vous n'êtes pas la gestionnaire de cette crèche."})
    claim.refresh_from_db()
    assert claim.state == ClaimState.REFUSED and claim.reason.startswith("Vous n'êtes pas")
    assert not imported.members.exists()
    told = Notification.objects.get(recipient=professional)
    assert told.kind == "registry.claim.refuse" and told.body == claim.reason
    # Decided: a second decision is refused with the state named, and recorded.
    with pytest.raises(ValidationError, match="Refusée"):
        claims.decide(claim, "confirm", moderator_35)
    assert AuditEvent.objects.for_object(claim).filter(action="registry.claim.confirm.refused").exists()


def test_moderators_in_scope_are_told_of_a_new_claim_and_only_the_claimant_of_the_decision(
    imported, professional, moderator_35, moderator_69
):
    national = user_with_role(Role.MODERATOR, email="national@example.fr")
    regional_elsewhere = user_with_role(Role.MODERATOR, region="84", email="ara@example.fr")
    claim = claims.submit_claim(imported, professional, "Bonjour")
    told = set(Notification.objects.filter(kind="registry.claim.submit").values_list("recipient__email", flat=True))
    assert told == {moderator_35.email, national.email}
    assert moderator_69.email not in told and regional_elsewhere.email not in told and professional.email not in told
    mailed = {r for m in OutgoingEmail.objects.all() for r in m.recipients}
    assert mailed == {moderator_35.email, national.email}
    link = Notification.objects.get(recipient=moderator_35).url
    assert link == f"/annuaire/moderation/revendications/{claim.pk}/"

    claims.decide(claim, "confirm", moderator_35)
    decision = Notification.objects.filter(kind="registry.claim.confirm")
    assert [n.recipient for n in decision] == [professional]
    assert decision[0].url == f"/annuaire/fiches/{imported.pk}/"


def test_moderators_of_another_territory_get_403_and_see_nothing(client, imported, professional, moderator_69):
    claim = claims.submit_claim(imported, professional)
    client.force_login(moderator_69)
    url = f"/annuaire/moderation/revendications/{claim.pk}/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"decision": "confirm"})
    assert response.status_code == 403 and "périmètre" in response.content.decode()
    assert "Aucune revendication en attente" in client.get("/annuaire/moderation/revendications/").content.decode()
    with pytest.raises(policy.PermissionDenied):
        claims.decide(claim, "confirm", moderator_69)
    claim.refresh_from_db()
    assert claim.state == ClaimState.PENDING and not imported.members.exists()
    # Nor may the professionals: the queue is for moderators.
    client.force_login(professional)
    assert client.get("/annuaire/moderation/revendications/").status_code == 403
    assert client.post(url, {"decision": "confirm"}).status_code == 403


def test_a_moderator_never_decides_their_own_claim(imported, moderator_35):
    claim = claims.submit_claim(imported, moderator_35)
    with pytest.raises(policy.PermissionDenied):
        claims.decide(claim, "confirm", moderator_35)
    assert not claims.pending_claims(moderator_35).exists()


def test_a_claim_without_identifier_is_allowed_and_flagged(client, imported, moderator_35):
    stranger = UserFactory(email="inconnue@example.fr")
    client.force_login(stranger)
    assert "Aucun identifiant ne correspond" in client.get(claim_url(imported)).content.decode()
    client.post(claim_url(imported), {"message": "Je suis la nouvelle directrice."})
    assert EntryClaim.objects.get().matched_on == MatchedOn.NONE
    client.force_login(moderator_35)
    assert "aucune correspondance d&#x27;identifiant" in client.get("/annuaire/moderation/revendications/").content.decode()
    claim = EntryClaim.objects.get()
    page = client.get(f"/annuaire/moderation/revendications/{claim.pk}/").content.decode()
    assert "aucune correspondance d&#x27;identifiant" in page and "Je suis la nouvelle directrice." in page


def test_one_pending_claim_per_entry_and_claimant(client, imported, professional):
    claims.submit_claim(imported, professional, "Première demande")
    client.force_login(professional)
    response = client.post(claim_url(imported), {"message": "Seconde demande"})
    assert response.status_code == 400 and "déjà une demande en attente" in response.content.decode()
    assert EntryClaim.objects.count() == 1
    # Another person may ask for the same entry.
    claims.submit_claim(imported, UserFactory())
    assert EntryClaim.objects.count() == 2


def test_once_refused_the_claimant_may_ask_again(imported, professional, moderator_35):
    claim = claims.submit_claim(imported, professional)
    claims.decide(claim, "refuse", moderator_35, "Justificatif manquant.")
    again = claims.submit_claim(imported, professional, "Avec le justificatif, cette fois.")
    assert again.state == ClaimState.PENDING and EntryClaim.objects.count() == 2


@pytest.mark.parametrize(
    "message, error",
    [
        pytest.param("x" * 100_000, "2000 caractères", id="100000-characters"),
        pytest.param("Bonjour\x1b[31m", "caractère de contrôle invisible (U+001B)", id="control-character"),
    ],
)
def test_bad_messages_save_nothing(imported, professional, message, error):
    with pytest.raises(ValidationError) as refused:
        claims.submit_claim(imported, professional, message)
    assert error in " ".join(refused.value.messages).replace("\u202f", "")
    assert not EntryClaim.objects.exists() and not Notification.objects.exists() and not OutgoingEmail.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="registry.claim").exists()


def test_the_form_refuses_a_huge_message_and_cleans_control_characters(client, imported, professional):
    client.force_login(professional)
    response = client.post(claim_url(imported), {"message": "x" * 100_000})
    assert response.status_code == 400 and re.search(r"2\s?000 caractères", response.content.decode())
    assert not EntryClaim.objects.exists()
    client.post(claim_url(imported), {"message": "Directrice\x00 de la crèche\x1b"})
    assert EntryClaim.objects.get().message == "Directrice de la crèche"


def test_a_huge_reason_leaves_the_claim_pending(client, imported, professional, moderator_35):
    claim = claims.submit_claim(imported, professional)
    client.force_login(moderator_35)
    response = client.post(f"/annuaire/moderation/revendications/{claim.pk}/", {"decision": "refuse", "reason": "x" * 100_000})
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.state == ClaimState.PENDING and not claim.reason
    assert client.post(f"/annuaire/moderation/revendications/{claim.pk}/", {"decision": "bogus"}).status_code == 400
