"""Fixtures of the claim and invitation tests: an imported entry nobody manages, in Rennes."""

import pytest

from tests.factories import UserFactory
from tests.registry.factories import verified_entry
from tpj.registry.models import EntrySituation

SIRET_OTHER = "73282932000074"


def add_reference(entry, reference_type, value):
    EntrySituation.objects.create(
        entry=entry,
        situation=entry.situations.first().situation,
        trusting_body_name="CAF d'Ille-et-Vilaine",
        trusting_body_kind="securite_sociale",
        reference_type=reference_type,
        reference_value=value,
    )


@pytest.fixture
def professional(db):
    """A professional whose organisation has a SIRET."""
    return UserFactory(email="sophie@example.fr", with_organisation=True)


@pytest.fixture
def imported(db, professional):
    """A published entry imported in bulk, without members, whose SIRET is the professional's."""
    entry = verified_entry(name="Crèche importée des Lilas", import_source="CAF 35", external_id="L-1")
    add_reference(entry, "siret", professional.organisation.siret)
    return entry
