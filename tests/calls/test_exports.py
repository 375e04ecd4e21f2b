"""Exports: SCDL subventions 2.1.1 validated against the copied schema, CSV/XLSX, history."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from frictionless import Resource, Schema, validate
from openpyxl import load_workbook
from stdnum.fr import siret

from tpj.calls import exports
from tpj.calls.models import Application, Call
from tpj.calls.services.calls import fire_call, transmit
from tpj.calls.services.decisions import decide
from tpj.calls.services.instruction import declare_eligible

from .factories import close, make_call, submitted_application

pytestmark = pytest.mark.django_db
SCHEMA = Path(__file__).resolve().parents[2] / "tpj" / "calls" / "data" / "scdl-subventions-2.1.1.schema.json"


def _transmitted_call():
    call = make_call()
    apps = [submitted_application(call, title=f"Projet « {i} », quartiers prioritaires") for i in range(2)]
    close(call)
    for a in apps:
        declare_eligible(a, call.manager)
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Très bien", {"ARS": Decimal("40000"), "DREETS": Decimal("40000")})
    fire_call(call, call.manager, "decide_laureates")
    transmit(call, call.manager)
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
    for expected in [
        "calls.call.created",
        "calls.call.publish",
        "calls.application.submit",
        "calls.application.select",
        "calls.decision.allocation",
        "calls.call.decide_laureates",
        "calls.call.transmit",
    ]:
        assert expected in actions


def _scdl_rows_validated(call, tmp_path):
    text = exports.scdl_csv_text(call)
    path = tmp_path / "subventions.csv"
    path.write_text(text, encoding="utf-8")
    report = _validate(path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    return list(csv.DictReader(io.StringIO(text)))


def test_scdl_export_without_decision_or_start_date_falls_back_on_real_dates(tmp_path):
    """A laureate without decided_at nor start date (imported, edited in the admin) used to crash the export."""
    call, apps = _transmitted_call()
    Application.objects.filter(pk=apps[0].pk).update(decided_at=None, start_date=None, end_date=None, convention_signed_on=None)
    Application.objects.filter(pk=apps[1].pk).update(start_date=None)
    call.refresh_from_db()
    rows = {(r["referenceDecision"], r["nomAttribuant"]): r for r in _scdl_rows_validated(call, tmp_path)}
    assert len(rows) == 4
    apps = [Application.objects.get(pk=a.pk) for a in apps]
    # No decision date on the application: the decision on the call's laureates stands in, and is
    # also the single date of the payment period (no project dates).
    call_decision = timezone.localdate(call.laureates_decided_at).isoformat()
    first = rows[(apps[0].reference, "ARS 53")]
    assert first["dateConvention"] == call_decision and first["datesPeriodeVersement"] == call_decision
    # No start date: the period starts on the decision and ends with the project.
    second = rows[(apps[1].reference, "DREETS 53")]
    decided = timezone.localdate(apps[1].decided_at).isoformat()
    assert second["dateConvention"] == decided
    assert second["datesPeriodeVersement"] == f"{decided}/{apps[1].end_date.isoformat()}"


def test_scdl_export_leaves_out_a_laureate_without_any_date_of_award(tmp_path):
    """dateConvention is required and must be a real date: with none at all, the row is left out."""
    call, apps = _transmitted_call()
    Application.objects.filter(pk=apps[0].pk).update(decided_at=None, convention_signed_on=None, start_date=None)
    Call.objects.filter(pk=call.pk).update(laureates_decided_at=None, transmitted_at=None)
    call.refresh_from_db()
    rows = _scdl_rows_validated(call, tmp_path)
    assert {r["referenceDecision"] for r in rows} == {Application.objects.get(pk=apps[1].pk).reference}


def test_laureates_csv_and_xlsx_neutralise_formulas_planted_in_a_title():
    call, apps = _transmitted_call()
    Application.objects.filter(pk=apps[0].pk).update(title='=HYPERLINK("http://x","y")')
    Application.objects.filter(pk=apps[1].pk).update(title="+33 1 23")
    rows = list(csv.DictReader(io.StringIO(exports.laureates_csv([call]).content.decode("utf-8-sig")), delimiter=";"))
    assert {r["projet"] for r in rows} == {'\'=HYPERLINK("http://x","y")', "'+33 1 23"}
    assert {r["total attribué (€)"] for r in rows} == {"120000,00", "80000,00"}
    sheet = load_workbook(io.BytesIO(exports.laureates_xlsx([call]).content)).active
    assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert {sheet[f"G{n}"].value for n in (2, 3)} == {'\'=HYPERLINK("http://x","y")', "'+33 1 23"}
    assert {sheet[f"N{n}"].value for n in (2, 3)} == {120000, 80000}
