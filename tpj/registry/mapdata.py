"""Server-side map aggregation that stays small and fast at one million entries.

National zoom: counts by région; then by département; then grid clusters (coarse, then
fine cells); then points. Filters the precomputed `MapAggregate` rows can answer use
them; the others (text, commune, distance, several priorities) group the entries live,
on indexed columns. Never more than `MAX_FEATURES` features in a response.
"""

from django.db.models import Avg, Count, Sum
from django.db.models.functions import Mod

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


def _round(value):
    return round(value, PRECISION)


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


def _territories(filters: EntryFilter, level: str) -> list[dict]:
    key = "region_id" if level == "region" else "departement_id"
    if filters.is_aggregatable:
        grouped = (
            filters.aggregate_rows("D").values(key).annotate(n=Sum("count"), lat=Sum("lat_sum"), lon=Sum("lon_sum")).order_by(key)
        )
        rows = [(g[key], g["n"], g["lat"] / g["n"], g["lon"] / g["n"]) for g in grouped if g["n"]]
    else:
        grouped = _live_rows(filters).values(key).annotate(n=Count("id"), lat=Avg("latitude"), lon=Avg("longitude")).order_by(key)
        rows = [(g[key], g["n"], g["lat"], g["lon"]) for g in grouped]
    names = _territory_names()[0 if level == "region" else 1]
    return [
        {"code": code, "name": names.get(code, code), "count": n, "lat": _round(lat), "lon": _round(lon)}
        for code, n, lat, lon in rows
    ]


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
        # values_list: a few thousand tuples, no dict per row (a third of this function's time).
        grouped = (
            rows.values("cell").annotate(n=Sum("count"), lat=Sum("lat_sum"), lon=Sum("lon_sum")).values_list("n", "lat", "lon")
        ).order_by()
        result = [[round(lat / n, PRECISION), round(lon / n, PRECISION), n] for n, lat, lon in grouped if n]
    else:
        column = "cell_coarse" if size == grid.COARSE else "cell_fine"
        grouped = (
            _live_rows(filters)
            .values(column)
            .annotate(n=Count("id"), lat=Avg("latitude"), lon=Avg("longitude"))
            .values_list("n", "lat", "lon")
            .order_by()
        )
        result = [[round(lat, PRECISION), round(lon, PRECISION), n] for n, lat, lon in grouped]
    return result[:MAX_FEATURES]


def _points(filters: EntryFilter) -> list[list]:
    rows = _live_rows(filters).order_by().values_list("id", "latitude", "longitude")[: MAX_POINTS + 1]
    return [[pk, round(lat, PRECISION), round(lon, PRECISION)] for pk, lat, lon in rows]


def published_count(filters: EntryFilter) -> int:
    """How many published entries match: from the precomputed counts when they can answer."""
    if filters.is_aggregatable and not filters.bbox:
        return filters.aggregate_rows("D").aggregate(n=Sum("count"))["n"] or 0
    if filters.is_text_only:
        return text_count(filters)
    return filters.published_entries().count()
