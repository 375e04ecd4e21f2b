"""Server-side map aggregation that stays small and fast at one million entries.

National zoom: counts by région; then by département; then grid clusters (coarse, then
fine cells); then points. Filters the precomputed `MapAggregate` rows can answer use
them; the others (text, commune, distance, several priorities) group the entries live,
on indexed columns. Never more than `MAX_FEATURES` features in a response.
"""

from django.db.models import Avg, Count, Sum
from django.db.models.functions import Mod

from tpj.core.expressions import Rounded, ratio
from tpj.core.plain_rows import plain_rows

from . import grid
from .filters import EntryFilter, reference_territories, text_count
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


def _territories(filters: EntryFilter, level: str) -> list[dict]:
    key = "region_id" if level == "region" else "departement_id"
    source = filters.aggregate_rows("D") if filters.is_aggregatable else _live_rows(filters)
    rows = plain_rows(_counted(source.values(key), filters.is_aggregatable).values_list(key, "n", "lat", "lon").order_by(key))
    names = _territory_names()[0 if level == "region" else 1]
    return [{"code": code, "name": names.get(code, code), "count": n, "lat": lat, "lon": lon} for code, n, lat, lon in rows if n]


def _clusters(filters: EntryFilter, size: float) -> list[list]:
    bbox = filters.bbox
    if filters.is_aggregatable:
        rows = filters.aggregate_rows("C" if size == grid.COARSE else "F")
        if bbox:
            row_min, row_max, col_min, col_max = grid.cell_range(*bbox, size)
            rows = (
                rows.filter(cell__gte=row_min * 100_000, cell__lte=row_max * 100_000 + 99_999)
                .annotate(col=Mod("cell", 100_000))
                .filter(col__gte=col_min, col__lte=col_max)
            )
        rows = rows.values("cell")
    else:
        rows = _live_rows(filters).values("cell_coarse" if size == grid.COARSE else "cell_fine")
    grouped = plain_rows(_counted(rows, filters.is_aggregatable).values_list("lat", "lon", "n").order_by())
    return [list(row) for row in grouped if row[2]][:MAX_FEATURES]


def _points(filters: EntryFilter) -> list[tuple]:
    rows = _live_rows(filters).order_by().values_list("id", _rounded("latitude"), _rounded("longitude"))[: MAX_POINTS + 1]
    return plain_rows(rows)  # tuples: the JSON renderers write them as arrays


def published_count(filters: EntryFilter) -> int:
    """How many published entries match: from the precomputed counts when they can answer."""
    if filters.is_aggregatable and not filters.bbox:
        return filters.aggregate_rows("D").aggregate(n=Sum("count"))["n"] or 0
    if filters.is_text_only:
        return text_count(filters)
    return filters.published_entries().count()
