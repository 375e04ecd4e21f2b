"""Load the official territories (COG 2026) shipped in `data/` (see data/PROVENANCE.md)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from tpj.core.text import normalize

from .models import Commune, Departement, Region

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.created} créé(s), {self.updated} mis à jour, {self.unchanged} inchangé(s)"


def _read(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _sync(model, rows: dict, fields: list[str], report: LoadReport):
    """Create or update `rows` (pk -> field values), touching only what differs."""
    existing = model.objects.in_bulk(list(rows))
    to_create, to_update = [], []
    for pk, values in rows.items():
        current = existing.get(pk)
        if current is None:
            to_create.append(model(pk=pk, **values))
        elif any(getattr(current, f) != values[f] for f in fields):
            for f in fields:
                setattr(current, f, values[f])
            to_update.append(current)
    model.objects.bulk_create(to_create, batch_size=2000)
    model.objects.bulk_update(to_update, fields, batch_size=2000)
    report.created += len(to_create)
    report.updated += len(to_update)
    report.unchanged += len(rows) - len(to_create) - len(to_update)


@transaction.atomic
def load_territories() -> LoadReport:
    """Idempotently load régions, départements and communes: a second run changes nothing."""
    report = LoadReport()
    regions = {r["code"]: {"name": r["nom"], "chef_lieu": r["chef_lieu"], "zone": r["zone"]} for r in _read("regions.csv")}
    _sync(Region, regions, ["name", "chef_lieu", "zone"], report)
    departements = {
        d["code"]: {"name": d["nom"], "region_id": d["region"], "chef_lieu": d["chef_lieu"], "zone": d["zone"]}
        for d in _read("departements.csv")
    }
    _sync(Departement, departements, ["name", "region_id", "chef_lieu", "zone"], report)
    communes = {
        c["code_insee"]: {
            "name": c["nom"],
            "search_name": normalize(c["nom"]),
            "departement_id": c["departement"],
            "region_id": c["region"],
            "postal_codes": c["codes_postaux"],
            "population": int(c["population"] or 0),
            "siren": c["siren"],
            "latitude": float(c["latitude"]),
            "longitude": float(c["longitude"]),
        }
        for c in _read("communes.csv")
    }
    _sync(Commune, communes, list(next(iter(communes.values())).keys()), report)
    return report
