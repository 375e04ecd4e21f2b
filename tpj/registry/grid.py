"""A plain latitude/longitude grid for map clustering without any GIS extension.

A cell is `row * 100000 + col` where row/col count cells of `size` degrees from
(-90, -180). Entries store their coarse and fine cells; the map groups by them.
"""

import math

COARSE = 0.2
FINE = 0.04
_ROW_FACTOR = 100_000


def cell(latitude: float, longitude: float, size: float) -> int:
    row = math.floor((latitude + 90) / size)
    col = math.floor((longitude + 180) / size)
    return row * _ROW_FACTOR + col


def cell_range(south: float, west: float, north: float, east: float, size: float):
    """(row_min, row_max, col_min, col_max) of the cells a bounding box touches."""
    return (
        math.floor((south + 90) / size),
        math.floor((north + 90) / size),
        math.floor((west + 180) / size),
        math.floor((east + 180) / size),
    )


KM_PER_DEGREE = 111.32


def bbox_around(latitude: float, longitude: float, radius_km: float):
    """(south, west, north, east) of a box containing the circle: the index prefilter."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - dlat, longitude - dlon, latitude + dlat, longitude + dlon


def equirectangular_km(lat1, lon1, lat2, lon2) -> float:
    """Fast distance, accurate to well under 1 % at the scale of a département."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)
