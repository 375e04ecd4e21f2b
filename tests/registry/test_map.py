"""Map aggregation: territory counts at national zoom, clusters, points, size bound."""

import pytest
from django.urls import reverse

from tpj.registry import aggregates, grid, mapdata
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


def _has_at_most_five_decimals(value: float) -> bool:
    return round(value, 5) == value


def test_coordinates_are_sent_rounded_to_about_a_metre_at_every_level(api_client, db):
    from tests.registry.factories import verified_entry
    from tpj.territories.models import Commune

    rennes = Commune.objects.get(insee_code="35238")
    first = verified_entry(commune=rennes, latitude=48.1234567891, longitude=-1.6789012345, setup__priorities=(2,))
    second = verified_entry(commune=rennes, latitude=48.1111111111, longitude=-1.6666666666, setup__priorities=(2, 6))

    points = api_client.get(MAP, {"zoom": 14, "bbox": "-1.8,48.0,-1.5,48.2"}).json()
    assert sorted(points["points"]) == [[first.pk, 48.12346, -1.6789], [second.pk, 48.11111, -1.66667]]

    mean_lat, mean_lon = (48.1234567891 + 48.1111111111) / 2, (-1.6789012345 - 1.6666666666) / 2
    for params in ({"zoom": 5}, {"zoom": 5, "priorite": [2, 6]}):  # precomputed sums, then live means
        (bretagne,) = api_client.get(MAP, params).json()["territories"]
        assert bretagne["count"] == 2
        assert bretagne["lat"] == pytest.approx(round(mean_lat, 5), abs=1e-9)
        assert bretagne["lon"] == pytest.approx(round(mean_lon, 5), abs=1e-9)
        assert _has_at_most_five_decimals(bretagne["lat"]) and _has_at_most_five_decimals(bretagne["lon"])
    for params in ({"zoom": 9, "bbox": "-2.5,47.5,-1,48.5"}, {"zoom": 9, "bbox": "-2.5,47.5,-1,48.5", "q": "a"}):
        clusters = api_client.get(MAP, params).json()["clusters"]
        assert clusters and all(_has_at_most_five_decimals(lat) and _has_at_most_five_decimals(lon) for lat, lon, _ in clusters)


def test_a_precomputed_count_fallen_to_zero_is_not_shown_and_divides_nothing(api_client, entries):
    from tpj.nomenclatures.models import Category, EntryKind

    # Counts maintained by increments can reach 0 before the next rebuild deletes them:
    # PostgreSQL refuses a division by zero, so the mean must not be computed for them.
    for level, cell in (("D", 0), ("C", grid.cell(48.85, 2.35, grid.COARSE))):  # Paris
        MapAggregate.objects.create(
            level=level,
            cell=cell,
            departement_id="75",
            region_id="11",
            category=Category.objects.first(),
            kind=EntryKind.objects.first(),
            priority=0,
            count=0,
        )
    national = api_client.get(MAP, {"zoom": 5}).json()
    assert {t["code"]: t["count"] for t in national["territories"]} == {"53": 2, "84": 1}
    clusters = api_client.get(MAP, {"zoom": 9, "bbox": "-5,42,8,51"}).json()  # mainland France, by coarse cells
    assert clusters["level"] == "coarse" and clusters["total"] == 3 and len(clusters["clusters"]) == 2


MAP_STATES = [  # at least two of each shape, with different values, the first one building it
    {"zoom": 5},
    {"zoom": 5, "priorite": 2},
    {"zoom": 5, "priorite": 6, "categorie": "creche"},
    {"zoom": 5, "priorite": 2, "categorie": "mam"},
    {"zoom": 7, "region": "53"},
    {"zoom": 7, "region": "84"},
    {"zoom": 7, "departement": "69", "type": "etablissement"},
    {"zoom": 7, "departement": "35", "type": "etablissement"},
    {"zoom": 9, "bbox": "-2.5,47.5,-1,48.5"},
    {"zoom": 9, "bbox": "4.5,45.5,5.2,46.0"},
    {"zoom": 11, "bbox": "-1.8,48.0,-1.5,48.2", "priorite": 6},
    {"zoom": 11, "bbox": "4.7,45.6,5.0,45.9", "priorite": 2},
    {"zoom": 14, "bbox": "-1.8,48.0,-1.5,48.2"},
    {"zoom": 14, "bbox": "4.7,45.6,5.0,45.9"},
    {"zoom": 14, "bbox": "4.7,45.6,5.0,45.9", "region": "84"},
    {"zoom": 14, "bbox": "-1.8,48.0,-1.5,48.2", "region": "84"},
    {"zoom": 14, "bbox": "-1.8,48.0,-1.5,48.2", "categorie": "creche", "priorite": 2},  # built each time (mask)
]


def test_the_map_answers_the_same_with_its_statements_built_once_or_for_each_request(api_client, entries, monkeypatch):
    from tests.registry.factories import verified_entry
    from tpj.core import plain_rows
    from tpj.nomenclatures.models import Category
    from tpj.territories.models import Commune

    lyon = Commune.objects.get(insee_code="69123")
    for slug, priorities in (("creche", (6,)), ("mam", (2, 6))):
        verified_entry(commune=lyon, postal_code="69002", category=Category.objects.get(slug=slug), setup__priorities=priorities)
    monkeypatch.setattr(plain_rows, "_statements", {})
    reused = [api_client.get(MAP, state).json() for state in MAP_STATES]
    assert any(recorded is not None for recorded in plain_rows._statements.values())

    monkeypatch.setattr(plain_rows, "_recorded", lambda *args: None)  # the ORM builds every statement
    monkeypatch.setattr(plain_rows, "_statements", {})
    built_each_time = [api_client.get(MAP, state).json() for state in MAP_STATES]
    assert reused == built_each_time
    assert {answer["level"] for answer in reused} == {"region", "departement", "coarse", "fine", "points"}
    assert all(answer["total"] for answer in reused[:4])
