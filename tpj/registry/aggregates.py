"""Maintenance of `MapAggregate`, the precomputed map counts of published entries."""

from django.db import connection, transaction
from django.db.models import F

from .models import Entry, MapAggregate, State
from .public_version import bump_registry

LEVELS = (("D", None), ("C", "cell_coarse"), ("F", "cell_fine"))


def apply(entry: Entry, sign: int) -> None:
    """Add (+1) or remove (-1) a published entry's contribution to the map counts."""
    if entry.latitude is None or entry.departement_id is None:
        return
    numbers = [0, *entry.priorities.values_list("priority__number", flat=True)]
    for level, column in LEVELS:
        cell = getattr(entry, column) if column else 0
        for number in numbers:
            key = {
                "level": level,
                "cell": cell,
                "departement_id": entry.departement_id,
                "category_id": entry.category_id,
                "kind_id": entry.kind_id,
                "priority": number,
            }
            updated = MapAggregate.objects.filter(**key).update(
                count=F("count") + sign,
                lat_sum=F("lat_sum") + sign * entry.latitude,
                lon_sum=F("lon_sum") + sign * entry.longitude,
            )
            if not updated and sign > 0:
                MapAggregate.objects.create(
                    **key, region_id=entry.region_id, count=1, lat_sum=entry.latitude, lon_sum=entry.longitude
                )
    MapAggregate.objects.filter(count__lte=0).delete()


_PUBLISHED = "e.state = %s AND e.revision_of_id IS NULL AND e.latitude IS NOT NULL AND e.departement_id IS NOT NULL"


@transaction.atomic
def rebuild() -> int:
    """Recompute every map count from the entries (after a bulk load); return the row count."""
    table = MapAggregate._meta.db_table
    entry_table = Entry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        for level, column in LEVELS:
            cell = f"e.{column}" if column else "0"
            group_cell = f"e.{column}, " if column else ""
            columns = "level, cell, departement_id, region_id, category_id, kind_id, priority, count, lat_sum, lon_sum"
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, {cell}, e.departement_id, e.region_id, e.category_id, e.kind_id, 0, "
                f"COUNT(*), SUM(e.latitude), SUM(e.longitude) FROM {entry_table} e WHERE {_PUBLISHED} "
                f"GROUP BY {group_cell}e.departement_id, e.region_id, e.category_id, e.kind_id",
                [level, State.VERIFIED],
            )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, {cell}, e.departement_id, e.region_id, e.category_id, e.kind_id, "
                f"p.number, COUNT(*), SUM(e.latitude), SUM(e.longitude) FROM {entry_table} e "
                f"JOIN registry_entrypriority ep ON ep.entry_id = e.id JOIN nomenclatures_priority p ON p.id = ep.priority_id "
                f"WHERE {_PUBLISHED} GROUP BY {group_cell}e.departement_id, e.region_id, e.category_id, e.kind_id, p.number",
                [level, State.VERIFIED],
            )
    bump_registry()  # raw SQL bypasses the signals: the public cache's version, at the commit
    return MapAggregate.objects.count()
