"""Server-side map aggregation that stays small and fast at one million entries.

National zoom: counts by région; then by département; then grid clusters (coarse, then
fine cells); then points. Filters the precomputed `MapAggregate` rows can answer use
them; the others (text, commune, distance, several priorities) group the entries live,
on indexed columns. Never more than `MAX_FEATURES` features in a response.
"""

from django.db import connection
from django.db.models import Avg, Count, Sum
from django.db.models.functions import Mod

from tpj.core.expressions import Rounded, RowCount, ratio
from tpj.core.plain_rows import plain_rows, shaped_rows

from . import grid
from .filters import EntryFilter, reference_territories, sqlite_text_count
from .models import Entry

MAX_POINTS = 2000
MAX_FEATURES = 4000


def level_for_zoom(zoom: int) -> str:
    if zoom <= 5:
        return "region"
    if zoom <= 7:
        return "departement"
    if zoom <= 9:
        return "coarse"
    if zoom <= 11:
        return "fine"
    return "points"


def _cells_in_bbox(bbox, size) -> int:
    row_min, row_max, col_min, col_max = grid.cell_range(*bbox, size)
    return (row_max - row_min + 1) * (col_max - col_min + 1)


def _territory_names():
    regions, departements = reference_territories()
    return {code: r.name for code, r in regions.items()}, {code: d.name for code, d in departements.items()}


PRECISION = 5  # decimals of the coordinates sent (about a metre)


def _rounded(expression):
    return Rounded(expression, PRECISION)


def map_data(filters: EntryFilter, zoom: int) -> dict:
    level = level_for_zoom(zoom)
    bbox = filters.bbox or (-90.0, -180.0, 90.0, 180.0)
    # Guard: a huge bounding box at a fine zoom degrades to a coarser level.
    if level == "fine" and _cells_in_bbox(bbox, grid.FINE) > MAX_FEATURES:
        level = "coarse"
    if level == "coarse" and _cells_in_bbox(bbox, grid.COARSE) > MAX_FEATURES:
        level = "departement"
    if level == "points":
        points = _points(filters)
        if len(points) <= MAX_POINTS:
            return {"level": "points", "zoom": zoom, "total": len(points), "points": points}
        level = "fine" if _cells_in_bbox(bbox, grid.FINE) <= MAX_FEATURES else "coarse"
    if level in ("region", "departement"):
        territories = _territories(filters, level)
        return {"level": level, "zoom": zoom, "total": sum(t["count"] for t in territories), "territories": territories}
    clusters = _clusters(filters, grid.COARSE if level == "coarse" else grid.FINE)
    return {"level": level, "zoom": zoom, "total": sum(c[2] for c in clusters), "clusters": clusters}


def _live_rows(filters: EntryFilter):
    return filters.apply(Entry.objects.published().filter(latitude__isnull=False))


def _counted(rows, aggregated: bool):
    """`rows` grouped as the caller asked, annotated with (count, mean latitude, mean
    longitude) rounded by the database: from the precomputed sums, or live."""
    if aggregated:
        return rows.annotate(
            n=Sum("count"),
            lat=_rounded(ratio(Sum("lat_sum"), Sum("count"))),
            lon=_rounded(ratio(Sum("lon_sum"), Sum("count"))),
        )
    return rows.annotate(n=Count("id"), lat=_rounded(Avg("latitude")), lon=_rounded(Avg("longitude")))


def _aggregated_values(filters: EntryFilter) -> tuple:
    """The values of an aggregatable filter state, as `_aggregated_rows` takes them."""
    return (
        filters.priorities[0] if filters.priorities else 0,
        filters.category,
        filters.kind,
        filters.region,
        filters.departement,
    )


def _aggregated_rows(level: str, priority, category, kind, region, departement):
    """The precomputed counts at `level` of the filter state whose `_aggregated_values` are
    the others (`shaped_rows` builds it once per shape, with markers for them)."""
    state = EntryFilter(
        priorities=[priority] if priority else [], category=category, kind=kind, region=region, departement=departement
    )
    return state.aggregate_rows(level)


def _territories(filters: EntryFilter, level: str) -> list[dict]:
    key = "region_id" if level == "region" else "departement_id"

    def grouped(rows, aggregated):
        return _counted(rows.values(key), aggregated).values_list(key, "n", "lat", "lon").order_by(key)

    if filters.is_aggregatable:
        rows = shaped_rows(
            ("map territories", key), lambda *values: grouped(_aggregated_rows("D", *values), True), _aggregated_values(filters)
        )
    else:
        rows = plain_rows(grouped(_live_rows(filters), False))
    names = _territory_names()[0 if level == "region" else 1]
    return [{"code": code, "name": names.get(code, code), "count": n, "lat": lat, "lon": lon} for code, n, lat, lon in rows if n]


def _clusters(filters: EntryFilter, size: float) -> list[list]:
    def grouped(rows, aggregated):
        return _counted(rows, aggregated).values_list("lat", "lon", "n").order_by()

    if not filters.is_aggregatable:
        rows = _live_rows(filters).values("cell_coarse" if size == grid.COARSE else "cell_fine")
        return [list(row) for row in plain_rows(grouped(rows, False))][:MAX_FEATURES]
    level = "C" if size == grid.COARSE else "F"

    def in_cells(first_cell, last_cell, col_min, col_max, *values):
        rows = (
            _aggregated_rows(level, *values)
            .filter(cell__gte=first_cell, cell__lte=last_cell)
            .annotate(col=Mod("cell", 100_000))
            .filter(col__gte=col_min, col__lte=col_max)
        )
        return grouped(rows.values("cell"), True)

    if filters.bbox:
        row_min, row_max, col_min, col_max = grid.cell_range(*filters.bbox, size)
        cells = (row_min * 100_000, row_max * 100_000 + 99_999, col_min, col_max)
        rows = shaped_rows(("map clusters in cells", level), in_cells, (*cells, *_aggregated_values(filters)))
    else:
        rows = shaped_rows(
            ("map clusters", level),
            lambda *values: grouped(_aggregated_rows(level, *values).values("cell"), True),
            _aggregated_values(filters),
        )
    return [list(row) for row in rows if row[2]][:MAX_FEATURES]


def _points(filters: EntryFilter) -> list[tuple]:
    """The points of the filter state, as tuples (the JSON renderers write them as arrays)."""

    def points(state):
        return _live_rows(state).order_by().values_list("id", _rounded("latitude"), _rounded("longitude"))[: MAX_POINTS + 1]

    if not filters.is_column_only or not filters.bbox:
        return plain_rows(points(filters))
    count = len(filters.priorities)
    return shaped_rows(
        ("map points", count),
        lambda *values: points(EntryFilter.from_column_values(count, values)),
        filters.column_values(),
    )


def published_count(filters: EntryFilter) -> int:
    """How many published entries match: from the precomputed counts when they can answer."""
    if filters.is_aggregatable and not filters.bbox:
        rows = shaped_rows(  # grouped by the level the rows share: one row, none when nothing matches
            ("published count",),
            lambda *values: _aggregated_rows("D", *values).values("level").annotate(n=Sum("count")).values_list("n").order_by(),
            _aggregated_values(filters),
        )
        return rows[0][0] if rows else 0
    if filters.is_text_only and connection.vendor == "sqlite":
        return sqlite_text_count(filters)
    rows = filters.published_rows(("published count",), lambda entries: entries.order_by().values_list(RowCount()))
    return rows[0][0] if rows else 0  # none only for a filter that matches nothing by construction
