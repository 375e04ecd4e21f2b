"""`registry_refresh_derived`: after a territory reload moved a commune to another
département (or a category was renamed), search and map follow the commune again."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from tpj.registry.models import MapAggregate
from tpj.territories.models import Commune

from .factories import verified_entry

pytestmark = pytest.mark.django_db


def test_refresh_derived_brings_search_and_map_after_a_commune_moved(api_client):
    entry = verified_entry(name="Crèche du Mail")
    Commune.objects.filter(pk="35238").update(departement_id="29")
    call_command("registry_refresh_derived", "--commune", "35238")
    body = api_client.get("/api/v1/entries/", {"q": "mail", "departement": "29"}).json()
    assert [row["name"] for row in body["results"]] == [entry.name]
    counts = MapAggregate.objects.filter(level="D", priority=0).values_list("departement_id").annotate(n=Sum("count"))
    assert dict(counts) == {"29": 1}
