"""CSV and GeoJSON exports of Module 3 (public ones are listed on the open data page)."""

import json
from collections.abc import Iterable

from django.http import HttpResponse

# Re-exported: the views write their CSV files through `exports.csv_response`, the project's one
# writer (formula-safe cells).
from tpj.core.exports import csv_response as csv_response


def geojson_response(filename: str, features: Iterable[dict]) -> HttpResponse:
    """A GeoJSON FeatureCollection of points (features built by the caller)."""
    body = json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def point_feature(longitude: float, latitude: float, properties: dict) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]}, "properties": properties}


def measure_rows(measures, departement_total: int):
    for m in measures:
        progress = m.progress(departement_total)
        yield [
            m.position,
            m.title,
            m.target_label,
            m.get_basis_display(),
            progress["value"],
            progress["target"],
            progress["percent"],
            m.deployment_count,
            m.amount_total or 0,
            m.year,
            m.source,
        ]


MEASURES_HEADER = [
    "numéro",
    "mesure",
    "cible nationale",
    "mode de suivi",
    "réalisé",
    "cible chiffrée",
    "avancement (%)",
    "déploiements enregistrés",
    "montant total (€)",
    "année",
    "source",
]

DEPLOYMENTS_HEADER = [
    "mesure",
    "région (code)",
    "région",
    "département",
    "commune (code INSEE)",
    "commune",
    "quoi",
    "structure",
    "date",
    "contribution à la cible",
    "montant (€)",
    "précisions",
]


def deployment_rows(deployments):
    for d in deployments.select_related("measure", "region", "departement", "commune"):
        yield [
            d.measure.title,
            d.region_id,
            d.region.name,
            d.departement_id or "",
            d.commune_id or "",
            d.commune.name if d.commune_id else "",
            d.title,
            d.carrier,
            d.date.isoformat(),
            d.quantity,
            d.amount,
            d.notes,
        ]


ALLOCATION_HEADER = [
    "région (code)",
    "région",
    "naissances",
    "quota exact",
    "partie entière",
    "rang du reste",
    "postes attribués",
]


def allocation_rows(apportionment):
    for a in apportionment.allocations.select_related("region").order_by("region_id"):
        yield [a.region_id, a.region.name, a.births, a.quota, a.whole, a.remainder_rank, a.seats]
