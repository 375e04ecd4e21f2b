"""Exports: SCDL subventions 2.1.1 validated against the copied schema, CSV/XLSX, history."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from frictionless import Resource, Schema, validate
from openpyxl import load_workbook
from stdnum.fr import siret

from tpj.calls import exports, services

from .factories import close, make_call, submitted_application

pytestmark = pytest.mark.django_db
SCHEMA = Path(__file__).resolve().parents[2] / "tpj" / "calls" / "data" / "scdl-subventions-2.1.1.schema.json"


def _transmitted_call():
    call = make_call()
    apps = [submitted_application(call, title=f"Projet « {i} », quartiers prioritaires") for i in range(2)]
    close(call)
    for a in apps:
        services.declare_eligible(a, call.manager)
    services.decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    services.decide(apps[1], call.manager, "laureate", "Très bien", {"ARS": Decimal("40000"), "DREETS": Decimal("40000")})
    services.fire_call(call, call.manager, "decide_laureates")
    services.transmit(call, call.manager)
    return call, apps


def _validate(path: Path):
    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return validate(Resource(path=path.name, basepath=str(path.parent), schema=Schema.from_descriptor(descriptor)))


def test_the_copied_schema_accepts_its_own_example():
    report = _validate(SCHEMA.with_name("scdl-subventions-2.1.1.example-valid.csv"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_scdl_export_is_valid_and_one_row_per_envelope(tmp_path):
    call, apps = _transmitted_call()
    text = exports.scdl_csv_text(call)
    path = tmp_path / "subventions.csv"
    path.write_text(text, encoding="utf-8")
    report = _validate(path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    assert {r["nomAttribuant"] for r in rows} == {"ARS 53", "DREETS 53"}
    assert all(siret.is_valid(r["idAttribuant"]) and siret.is_valid(r["idBeneficiaire"]) for r in rows)
    assert sum(Decimal(r["montant"]) for r in rows) == Decimal("200000")


def test_laureates_csv_xlsx_and_history(client):
    call, apps = _transmitted_call()
    csv_text = exports.laureates_csv([call]).content.decode("utf-8-sig")
    assert "Projet « 0 »" in csv_text and csv_text.count("\n") == 3
    workbook = load_workbook(io.BytesIO(exports.laureates_xlsx([call]).content))
    assert workbook.active.max_row == 3 and workbook.active["N2"].value == 120000
    actions = list(exports.call_history(call).values_list("action", flat=True))
    for expected in ["calls.call.created", "calls.call.publish", "calls.application.submit", "calls.application.select",
                     "calls.decision.allocation", "calls.call.decide_laureates", "calls.call.transmit"]:
        assert expected in actions
