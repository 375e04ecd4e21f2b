"""The SIRET claim of a ProConnect login links an account without organisation to its own."""

import pytest

from tests.factories import OrganisationFactory, UserFactory
from tpj.accounts.models import User
from tpj.audit.models import AuditEvent

from .test_proconnect import CLAIMS, _log_in_with_proconnect, proconnect  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_a_new_agent_is_linked_to_the_organisation_of_their_siret(client, proconnect):  # noqa: F811
    ars = OrganisationFactory(name="ARS Bretagne", kind="ars", region_id="53", commune_id=None, siret=CLAIMS["siret"])
    _log_in_with_proconnect(client, proconnect, CLAIMS)
    user = User.objects.get(email="agent.public@ars.sante.fr")
    assert user.organisation == ars
    event = AuditEvent.objects.get(action="accounts.proconnect_organisation", actor=user)
    assert event.after == {"organisation": "ARS Bretagne", "siret": CLAIMS["siret"]}


def test_an_account_already_linked_or_an_unknown_siret_is_left_as_it_is(client, proconnect):  # noqa: F811
    OrganisationFactory(name="ARS Bretagne", kind="ars", region_id="53", commune_id=None, siret=CLAIMS["siret"])
    other = OrganisationFactory(name="CAF d'Ille-et-Vilaine")
    existing = UserFactory(email="agent.public@ars.sante.fr", organisation=other)
    _log_in_with_proconnect(client, proconnect, CLAIMS)
    existing.refresh_from_db()
    assert existing.organisation == other

    _log_in_with_proconnect(client, proconnect, {**CLAIMS, "email": "nouvel.agent@ars.sante.fr", "siret": "73282932000074"})
    assert User.objects.get(email="nouvel.agent@ars.sante.fr").organisation is None
    assert not AuditEvent.objects.filter(action="accounts.proconnect_organisation").exists()
