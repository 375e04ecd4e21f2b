"""Demo data of Module 3: idempotent (twice without duplicates), with the illustrative births."""

import pytest

from tests.calls.factories import manager
from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.valorisation import demo
from tpj.valorisation.models import Allocation, Apportionment, BirthsTable, Deployment, Highlight

from .factories import laureate

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Deployment, BirthsTable, Apportionment, Allocation, Highlight)]


def test_demo_loads_measures_births_100_posts_and_a_coup_de_coeur_idempotently():
    laureate("53", title="Projet transmis de démonstration")
    accounts = {demo.NATIONAL: user_with_role(Role.NATIONAL_TEAM), demo.MANAGERS["53"]: manager("ARS", "53")}
    demo.load(accounts)
    first = counts()
    assert first == [8, 1, 1, 18, 1]
    apportionment = Apportionment.objects.get()
    assert apportionment.total == 100 and sum(a.seats for a in apportionment.allocations.all()) == 100
    assert "illustratifs, non officiels" in apportionment.births_table.source
    demo.load(accounts)
    assert counts() == first
