"""Map aggregation: territory counts at national zoom, clusters, points, size bound."""

import pytest
from django.urls import reverse

from tpj.registry import aggregates, mapdata
from tpj.registry.filters import EntryFilter
from tpj.registry.models import MapAggregate

pytestmark = pytest.mark.django_db
MAP = reverse("api-registry-map")


def test_levels_by_zoom(api_client, entries):
    national = api_client.get(MAP, {"zoom": 5}).json()
    assert national["level"] == "region" and {t["code"]: t["count"] for t in national["territories"]} == {"53": 2, "84": 1}
    departements = api_client.get(MAP, {"zoom": 7}).json()
    assert {t["code"]: t["count"] for t in departements["territories"]} == {"35": 2, "69": 1}
    clusters = api_client.get(MAP, {"zoom": 9, "bbox": "-2.5,47.5,-1,48.5"}).json()
    assert clusters["level"] == "coarse" and clusters["total"] == 2
    points = api_client.get(MAP, {"zoom": 14, "bbox": "-1.8,48.0,-1.5,48.2"}).json()
    assert points["level"] == "points" and len(points["points"]) == 2


def test_filters_use_aggregates_or_live_query_with_same_answer(api_client, entries):
    by_priority = api_client.get(MAP, {"zoom": 5, "priorite": 2}).json()
    assert {t["code"]: t["count"] for t in by_priority["territories"]} == {"53": 1, "84": 1}
    live = api_client.get(MAP, {"zoom": 5, "priorite": [2, 6]}).json()  # two priorities: live query
    assert {t["code"]: t["count"] for t in live["territories"]} == {"53": 1, "84": 1}
    text = api_client.get(MAP, {"zoom": 5, "q": "lutins", "region": "84"}).json()
    assert text["total"] == 1


def test_aggregates_follow_suspension_and_rebuild_matches(entries, moderator_35):
    from tpj.registry.models import Entry
    from tpj.registry.services.moderation import moderate

    before = mapdata.published_count(EntryFilter())
    entry = Entry.objects.published().filter(departement_id="35").first()
    moderate(entry, "suspend", moderator_35, "Contrôle")
    assert mapdata.published_count(EntryFilter()) == before - 1
    incremental = sorted(MapAggregate.objects.values_list("level", "cell", "departement_id", "priority", "count"))
    aggregates.rebuild()
    assert sorted(MapAggregate.objects.values_list("level", "cell", "departement_id", "priority", "count")) == incremental


def test_response_stays_small_even_for_a_huge_bbox_at_fine_zoom(api_client, entries):
    response = api_client.get(MAP, {"zoom": 11, "bbox": "-180,-80,180,80"})
    assert response.status_code == 200 and response.json()["level"] in ("coarse", "departement")
    assert len(response.content) < 100_000
    bad = api_client.get(MAP, {"zoom": "loin", "bbox": "1,2"})
    assert bad.status_code == 400
