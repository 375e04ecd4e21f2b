"""Inviting a person without an account to manage an entry: the link's whole life."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.registry.factories import verified_entry
from tpj.accounts import services as accounts
from tpj.audit.models import AuditEvent
from tpj.outbox import purposes
from tpj.outbox.models import OutgoingEmail
from tpj.registry.emails import MEMBER_INVITATION
from tpj.registry.models import MemberInvitation

pytestmark = pytest.mark.django_db
LINK = re.compile(r"/annuaire/invitation/([^/\s]+)/")


@pytest.fixture
def owner(db):
    return UserFactory(email="directrice@lilas.fr")


@pytest.fixture
def entry(owner):
    return verified_entry(name="Crèche des Lilas", setup__members=[owner])


def invite(client, owner, entry, email):
    client.force_login(owner)
    return client.post(f"/annuaire/fiches/{entry.pk}/membres/", {"email": email})


def last_link() -> str:
    message = OutgoingEmail.objects.filter(purpose=MEMBER_INVITATION).latest("pk")
    return LINK.search(message.body).group(0)


def test_an_address_without_account_gets_a_personal_link_by_email(client, owner, entry):
    response = invite(client, owner, entry, "Nouvelle.Collegue@Lilas.fr")
    assert response.status_code == 302
    invitation = MemberInvitation.objects.get()
    assert invitation.email == "nouvelle.collegue@lilas.fr" and invitation.invited_by == owner
    assert invitation.expires_at - timezone.now() > datetime.timedelta(days=13, hours=23)
    message = OutgoingEmail.objects.get(purpose=MEMBER_INVITATION)
    assert message.recipients == ["nouvelle.collegue@lilas.fr"] and "Crèche des Lilas" in message.subject
    assert purposes.get(MEMBER_INVITATION).sensitive  # the link is erased once sent
    token = LINK.search(message.body).group(1)
    assert token not in invitation.token_hash  # the database holds no usable link
    page = client.get(f"/annuaire/fiches/{entry.pk}/membres/").content.decode()
    assert "nouvelle.collegue@lilas.fr" in page and "en attente" in page
    assert AuditEvent.objects.for_object(entry).filter(action="registry.member_invited").exists()


def test_an_address_with_an_account_is_added_at_once(client, owner, entry):
    colleague = UserFactory(email="collegue@lilas.fr")
    invite(client, owner, entry, "collegue@lilas.fr")
    assert colleague in entry.members.all()
    assert not MemberInvitation.objects.exists() and not OutgoingEmail.objects.filter(purpose=MEMBER_INVITATION).exists()


def test_re_inviting_replaces_the_pending_invitation_and_its_link(client, owner, entry):
    invite(client, owner, entry, "nouvelle@lilas.fr")
    first = last_link()
    invite(client, owner, entry, "nouvelle@lilas.fr")
    second = last_link()
    assert MemberInvitation.objects.count() == 1 and first != second
    newcomer = UserFactory(email="nouvelle@lilas.fr")
    client.force_login(newcomer)
    response = client.get(first)
    assert response.status_code == 404 and "une invitation plus récente l&#x27;a remplacé" in response.content.decode()
    assert newcomer not in entry.members.all()
    assert client.get(second).status_code == 302
    assert newcomer in entry.members.all()


def test_opening_the_link_signed_in_with_the_invited_address_makes_a_member(client, owner, entry):
    invite(client, owner, entry, "nouvelle@lilas.fr")
    link = last_link()
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "Se connecter" in page.content.decode() and "Créer mon compte" in page.content.decode()
    newcomer = UserFactory(email="nouvelle@lilas.fr")
    client.force_login(newcomer)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == f"/annuaire/fiches/{entry.pk}/"
    assert newcomer in entry.members.all()
    invitation = MemberInvitation.objects.get()
    assert invitation.accepted_by == newcomer and invitation.accepted_at
    assert AuditEvent.objects.for_object(entry).get(action="registry.invitation_accepted").actor == newcomer
    # Opened again by its owner: already a member, no error.
    assert client.get(link).status_code == 302


def test_a_used_link_is_refused_to_anyone_else(client, owner, entry):
    invite(client, owner, entry, "nouvelle@lilas.fr")
    link = last_link()
    client.force_login(UserFactory(email="nouvelle@lilas.fr"))
    client.get(link)
    client.force_login(UserFactory(email="autre@lilas.fr"))
    response = client.get(link)
    assert response.status_code == 410 and "déjà été utilisée" in response.content.decode()


def test_a_link_opened_with_another_account_is_refused(client, owner, entry):
    invite(client, owner, entry, "nouvelle@lilas.fr")
    link = last_link()
    intruder = UserFactory(email="intrus@exemple.fr")
    client.force_login(intruder)
    response = client.get(link)
    assert response.status_code == 403 and "une autre adresse que celle de votre compte" in response.content.decode()
    assert intruder not in entry.members.all() and MemberInvitation.objects.get().accepted_at is None


def test_an_expired_link_says_so_and_changes_nothing(client, owner, entry):
    invite(client, owner, entry, "nouvelle@lilas.fr")
    link = last_link()
    MemberInvitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    newcomer = UserFactory(email="nouvelle@lilas.fr")
    client.force_login(newcomer)
    response = client.get(link)
    assert response.status_code == 410 and "Cette invitation a expiré le" in response.content.decode()
    assert newcomer not in entry.members.all()
    # The members may send it again: the same row, a new link, a new deadline.
    invite(client, owner, entry, "nouvelle@lilas.fr")
    client.force_login(newcomer)
    assert client.get(last_link()).status_code == 302 and newcomer in entry.members.all()
    assert MemberInvitation.objects.count() == 1


def test_signing_up_with_the_invited_address_makes_a_member_once_confirmed(client, owner, entry):
    invite(client, owner, entry, "nouvelle@lilas.fr")
    other = verified_entry(setup__members=[owner])
    invite(client, owner, other, "nouvelle@lilas.fr")
    MemberInvitation.objects.filter(entry=other).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    user = accounts.sign_up(email="Nouvelle@lilas.fr", password="mot-de-passe-solide-42")
    assert not entry.members.filter(pk=user.pk).exists()  # not before the address is proven
    accounts.confirm_email(accounts.confirmation_token(user))
    assert list(user.registry_entries.all()) == [entry]  # the expired invitation does not count


def test_a_bad_address_is_refused_and_nothing_is_saved(client, owner, entry):
    for bad in ("pas-une-adresse", "nouvelle@lilas.fr\x00\x1b<script>", "x" * 100_000 + "@lilas.fr"):
        response = invite(client, owner, entry, bad)
        assert response.status_code == 400 and "adresse e-mail valide" in response.content.decode()
    assert not MemberInvitation.objects.exists() and not OutgoingEmail.objects.exists()


def test_only_members_invite(client, entry):
    client.force_login(UserFactory())
    assert client.post(f"/annuaire/fiches/{entry.pk}/membres/", {"email": "nouvelle@lilas.fr"}).status_code == 403
    assert not MemberInvitation.objects.exists()


def test_an_unknown_token_gets_a_french_page(client):
    response = client.get("/annuaire/invitation/n-importe-quoi/")
    assert response.status_code == 404 and "Ce lien d&#x27;invitation n&#x27;est pas valide" in response.content.decode()
