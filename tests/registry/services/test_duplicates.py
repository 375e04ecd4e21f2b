"""Possible duplicates: same identifier, or same name nearby; a warning, never a merge."""

import pytest

from tests.registry.factories import FINESS_CHU_RENNES, EntryFactory
from tpj.registry.services.duplicates import find_duplicates
from tpj.territories.models import Commune

pytestmark = pytest.mark.django_db


@pytest.mark.django_db
def test_duplicates_same_identifier_or_same_name_nearby_warn_never_merge():
    from tpj.registry.models import Entry, State

    first = EntryFactory(name="Crèche Les Lutins", state=State.VERIFIED)
    first.situations.update(reference_type="finess", reference_value=FINESS_CHU_RENNES)
    same_name = EntryFactory(name="creche les lutins", state=State.SUBMITTED, setup__situation=False)
    same_id = EntryFactory(
        name="Autre nom", state=State.SUBMITTED, commune=Commune.objects.get(insee_code="29019"), postal_code="29200"
    )
    same_id.situations.update(reference_type="finess", reference_value=FINESS_CHU_RENNES)
    far = EntryFactory(
        name="Crèche Les Lutins",
        state=State.SUBMITTED,
        commune=Commune.objects.get(insee_code="69123"),
        postal_code="69001",
        setup__situation=False,
    )
    assert {d.entry for d in find_duplicates(same_name)} == {first}
    reasons = {d.entry: d.reason for d in find_duplicates(same_id)}
    assert "FINESS" in reasons[first]
    assert first not in {d.entry for d in find_duplicates(far)}
    assert Entry.objects.count() == 4
