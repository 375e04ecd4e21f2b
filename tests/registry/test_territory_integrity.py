"""An entry's commune, département and région always agree (migration 0010: one composite
foreign key on PostgreSQL), including when imported in bulk."""

import pytest
from django.db import IntegrityError, connection, transaction

from tpj.registry.models import Entry
from tpj.territories.models import Commune

from .factories import EntryFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite keeps three single foreign keys (adding a composite one means rebuilding the table)",
    ),
]


def _check_now(**columns):
    entry = EntryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(**columns)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_commune_with_another_departement_is_refused():
    _check_now(departement_id="29")  # Rennes is in Ille-et-Vilaine (35)


def test_a_departement_without_its_commune_is_refused():
    _check_now(commune_id=None)


def test_an_unknown_commune_is_refused():
    _check_now(commune_id="00000")


def test_entries_follow_their_commune_when_it_changes_departement():
    entry = EntryFactory()
    assert (entry.departement_id, entry.region_id) == ("35", "53")
    Commune.objects.filter(pk="35238").update(departement_id="29")
    entry.refresh_from_db()
    assert entry.departement_id == "29"
