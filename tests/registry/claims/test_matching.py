"""Who may claim an entry: the identifiers an account shares with it, and the entry page's block."""

import pytest

from tests.factories import UserFactory
from tests.registry.claims.conftest import SIRET_OTHER, add_reference
from tests.registry.factories import FINESS_CHU_RENNES, EntryFactory, verified_entry
from tpj.core import policy
from tpj.registry.models import ContactChannel, MatchedOn, State, identifier_match

pytestmark = pytest.mark.django_db


def test_the_organisation_siret_matches_even_written_with_spaces(professional):
    entry = verified_entry()
    siret = professional.organisation.siret
    add_reference(entry, "siret", f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}")
    assert identifier_match(professional, entry) == MatchedOn.SIRET


def test_a_finess_counts_only_from_a_verified_entry_the_user_is_a_member_of():
    user = UserFactory()
    target = verified_entry()
    add_reference(target, "finess", FINESS_CHU_RENNES)
    draft = EntryFactory(state=State.SUBMITTED, setup__members=[user])
    add_reference(draft, "finess", FINESS_CHU_RENNES)
    assert identifier_match(user, target) == MatchedOn.NONE  # a declaration nobody verified yet
    mine = verified_entry(setup__members=[user])
    add_reference(mine, "finess", FINESS_CHU_RENNES)
    assert identifier_match(user, target) == MatchedOn.FINESS


def test_the_account_email_among_the_entry_contacts_matches_whatever_its_case():
    user = UserFactory(email="direction@lilas.fr")
    entry = verified_entry()
    assert identifier_match(user, entry) == MatchedOn.NONE
    ContactChannel.objects.create(entry=entry, kind="email", value="Direction@Lilas.fr")
    assert identifier_match(user, entry) == MatchedOn.EMAIL


def test_siret_wins_over_email_and_other_references_do_not_match(professional):
    entry = verified_entry()
    add_reference(entry, "siret", SIRET_OTHER)
    ContactChannel.objects.create(entry=entry, kind="email", value=professional.email)
    assert identifier_match(professional, entry) == MatchedOn.EMAIL
    add_reference(entry, "siret", professional.organisation.siret)
    assert identifier_match(professional, entry) == MatchedOn.SIRET


def test_an_entry_without_active_member_is_claimable_by_anyone_signed_in(imported):
    stranger = UserFactory()
    assert policy.check(stranger, "registry.claim", imported)
    gone = UserFactory(disabled=True)
    imported.members.add(gone)  # its only member left: still nobody manages it
    assert policy.check(stranger, "registry.claim", imported)


def test_an_entry_with_members_is_claimable_only_by_a_matching_account(imported, professional):
    imported.members.add(UserFactory())
    decision = policy.check(UserFactory(), "registry.claim", imported)
    assert not decision and "Demandez à l'un de ses membres de vous ajouter" in decision.reason
    assert policy.check(professional, "registry.claim", imported)
    assert not policy.check(imported.members.first(), "registry.claim", imported)  # already a member


def test_unpublished_entries_and_revisions_are_not_claimable(professional):
    entry = EntryFactory(state=State.SUBMITTED)
    add_reference(entry, "siret", professional.organisation.siret)
    assert not policy.check(professional, "registry.claim", entry)


def test_the_entry_page_offers_the_button_or_says_why_not(client, imported, professional):
    url = f"/annuaire/fiches/{imported.pk}/"
    assert "Connectez-vous</a> pour la revendiquer" in client.get(url).content.decode()
    client.force_login(professional)
    page = client.get(url).content.decode()
    assert "Revendiquer cette fiche" in page and f"/annuaire/fiches/{imported.pk}/revendiquer/" in page

    imported.members.add(UserFactory())
    client.force_login(UserFactory())
    page = client.get(url).content.decode()
    assert "Vous ne pouvez pas revendiquer cette fiche" in page and "Revendiquer cette fiche</a>" not in page
    assert client.get(f"/annuaire/fiches/{imported.pk}/revendiquer/").status_code == 403


def test_members_see_no_claim_block(client, imported):
    member = UserFactory()
    imported.members.add(member)
    client.force_login(member)
    assert "Vous gérez cette structure" not in client.get(f"/annuaire/fiches/{imported.pk}/").content.decode()
    client.logout()
    # A visitor is not invited to claim an entry that someone manages.
    assert "pour la revendiquer" not in client.get(f"/annuaire/fiches/{imported.pk}/").content.decode()
