"""`plain_rows`: a values_list() queryset's rows as the driver returns them, for the hot
public reads; they must be the rows the ORM itself would give, on both back-ends."""

import pytest

from tests.registry.factories import verified_entry
from tpj.core.plain_rows import plain_rows
from tpj.registry.models import Entry, EntryPriority

pytestmark = pytest.mark.django_db


def test_rows_are_those_the_orm_gives_for_integers_floats_and_text():
    for number in range(3):
        verified_entry(name=f"Crèche « Les Lutins » n°{number}", setup__priorities=(2, 6))
    entries = Entry.objects.order_by("name").values_list(
        "id", "name", "latitude", "longitude", "departement_id", "category__label"
    )
    assert plain_rows(entries) == list(entries)
    priorities = EntryPriority.objects.filter(entry__in=Entry.objects.all()).values_list(
        "entry_id", "priority__number", "priority__short_label"
    )
    assert sorted(plain_rows(priorities)) == sorted(priorities) and len(priorities) == 6


def test_a_filter_that_can_match_nothing_reads_nothing():
    verified_entry()
    assert plain_rows(Entry.objects.filter(pk__in=[]).values_list("id")) == []
