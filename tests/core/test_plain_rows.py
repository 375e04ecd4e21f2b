"""`plain_rows`: a values_list() queryset's rows as the driver returns them, for the hot
public reads; they must be the rows the ORM itself would give, on both back-ends."""

import pytest

from tests.registry.factories import verified_entry
from tpj.core.plain_rows import plain_rows
from tpj.registry.models import Entry, EntryPriority
from tpj.territories.models import Commune

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


def _counting(build):
    """`build`, counting how many times the ORM is asked to build the statement."""
    calls = []

    def counted(*values):
        calls.append(values)
        return build(*values)

    return counted, calls


def test_a_shape_is_built_once_and_each_call_binds_its_own_values():
    from tpj.core.plain_rows import shaped_rows
    from tpj.territories.models import Departement

    rennes = verified_entry(name="Relais de Rennes", setup__priorities=(2,))
    lyon_commune = Commune.objects.get(insee_code="69123")
    lyon = verified_entry(name="Crèche de Lyon", commune=lyon_commune, postal_code="69001", setup__priorities=(2,))

    def names(departement, name, limit_id):
        return (
            Entry.objects.filter(departement=departement, name=name, id__lte=limit_id)
            .order_by("id")
            .values_list("name", "latitude")
        )

    build, calls = _counting(names)
    ille_et_vilaine, rhone = Departement.objects.get(code="35"), Departement.objects.get(code="69")
    first = shaped_rows("test names", build, (ille_et_vilaine, "Relais de Rennes", rennes.pk))
    second = shaped_rows("test names", build, (rhone, "Crèche de Lyon", lyon.pk))
    third = shaped_rows("test names", build, (rhone, "Relais de Rennes", lyon.pk))
    assert first == [("Relais de Rennes", rennes.latitude)]
    assert second == [("Crèche de Lyon", lyon.latitude)]
    assert third == []
    assert len(calls) == 1  # with markers, once for the three


def test_a_value_the_statement_does_not_take_as_it_is_is_built_on_every_call():
    from tpj.core.plain_rows import shaped_rows

    entries = [verified_entry(name=name) for name in ("Alpha", "Beta")]

    def from_name(name, first_id):  # the name is transformed: its marker is not found as it was
        return Entry.objects.filter(name=name.strip().capitalize(), id__gte=first_id).values_list("id")

    build, calls = _counting(from_name)
    assert shaped_rows("test transformed", build, ("alpha ", entries[0].pk)) == [(entries[0].pk,)]
    assert shaped_rows("test transformed", build, ("beta", entries[0].pk)) == [(entries[1].pk,)]
    assert len(calls) == 3  # the markers' try, then each call


def test_an_empty_value_is_part_of_the_shape():
    from tpj.core.plain_rows import shaped_rows

    entries = [verified_entry(name=name) for name in ("Alpha", "Beta")]

    def named(name):  # `if name:` decides whether the statement filters at all
        return (Entry.objects.filter(name=name) if name else Entry.objects.all()).order_by("id").values_list("id")

    assert shaped_rows("test empty", named, ("Beta",)) == [(entries[1].pk,)]
    assert shaped_rows("test empty", named, ("",)) == [(e.pk,) for e in entries]
    assert shaped_rows("test empty", named, ("Alpha",)) == [(entries[0].pk,)]


def test_a_long_list_of_values_is_built_each_time_and_read_right():
    from tpj.core.plain_rows import MAX_SHAPED_VALUES, shaped_rows

    entries = [verified_entry() for _ in range(3)]
    ids = (*[entry.pk for entry in entries], *range(10**6, 10**6 + MAX_SHAPED_VALUES))  # more values than shaped

    def by_ids(*ids):
        return Entry.objects.filter(pk__in=ids).order_by("id").values_list("id")

    build, calls = _counting(by_ids)
    assert shaped_rows("test long", build, ids) == [(entry.pk,) for entry in entries]
    assert shaped_rows("test long", build, ids) == [(entry.pk,) for entry in entries]
    assert len(calls) == 2  # no markers' try: built for each call


def test_once_the_statements_kept_are_many_a_new_shape_is_read_right_and_not_kept(monkeypatch):
    """Every page size and combination of filters a client sends is a shape: past the bound,
    a worker keeps no more statements, and still answers each one."""
    from tpj.core import plain_rows as module

    entries = [verified_entry(name=name) for name in ("Alpha", "Beta")]
    monkeypatch.setattr(module, "_statements", {})
    monkeypatch.setattr(module, "MAX_STATEMENTS", 1)

    def named(name):
        return Entry.objects.filter(name=name).values_list("id")

    build, calls = _counting(named)
    assert module.shaped_rows("test kept", build, ("Alpha",)) == [(entries[0].pk,)]
    assert module.shaped_rows("test not kept", build, ("Beta",)) == [(entries[1].pk,)]
    assert module.shaped_rows("test not kept", build, ("Alpha",)) == [(entries[0].pk,)]
    assert len(module._statements) == 1
    assert module.shaped_rows("test kept", build, ("Beta",)) == [(entries[1].pk,)]  # the kept one still binds
