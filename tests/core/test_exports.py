"""The one spreadsheet writer: exact CSV bytes, and no formula in any cell of a CSV or XLSX file."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import UserFactory
from tpj.audit.exports import audit_csv_response
from tpj.audit.models import AuditEvent
from tpj.audit.services import record
from tpj.core.exports import csv_lines, csv_response, neutralise, xlsx_response

FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+33 1 23",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    '   =HYPERLINK("http://x","y")',
]
HEADER = ["texte", "nombre"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_text_a_spreadsheet_would_run_is_prefixed_with_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Crèche des Lutins", "35000", "2024-01-02", "a=b", "'déjà cité", ""])
def test_plain_texts_are_left_alone(text):
    assert neutralise(text) == text


def test_csv_bytes_bom_semicolon_and_crlf():
    response = csv_response("f.csv", HEADER, [["a;b", 1], [None, Decimal("1.50")]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="f.csv"'
    body = b"".join(response.streaming_content)
    assert body == '\ufefftexte;nombre\r\n"a;b";1\r\n;1.50\r\n'.encode()


def test_csv_for_standard_schemas_and_in_memory():
    lines = csv_lines(HEADER, [["x", Decimal("2.5")]], delimiter=",", bom=False, lineterminator="\n")
    assert "".join(lines) == "texte,nombre\nx,2.5\n"
    response = csv_response("f.csv", HEADER, [["x", Decimal("2.5")]], decimal_comma=True, streaming=False)
    assert response.content.decode("utf-8-sig") == "texte;nombre\r\nx;2,5\r\n"


def test_every_csv_cell_is_neutralised_and_numbers_stay_numbers():
    rows = [[text, -3] for text in FORMULAS] + [[{"a": "=1"}, Decimal("-1.5")], [-2.5, datetime.date(2024, 1, 2)]]
    body = b"".join(csv_response("f.csv", HEADER, rows).streaming_content).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))[1:]
    assert [row[0] for row in read[: len(FORMULAS)]] == ["'" + text for text in FORMULAS]
    assert {row[1] for row in read[: len(FORMULAS)]} == {"-3"}
    assert read[-2] == ["{'a': '=1'}", "-1.5"]
    assert read[-1] == ["-2.5", "2024-01-02"]


def test_every_xlsx_cell_is_a_plain_string_or_a_number_never_a_formula():
    rows = [[text, -3] for text in FORMULAS] + [["=1+1\x07", Decimal("-1.5")], [None, datetime.date(2024, 1, 2)]]
    response = xlsx_response("f.xlsx", HEADER, rows, title="Feuille")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content))["Feuille"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER
    # (XML reads a carriage return back as a line feed.)
    assert [row[0] for row in values[1 : len(FORMULAS) + 1]] == ["'" + text.replace("\r", "\n") for text in FORMULAS]
    assert {row[1] for row in values[1 : len(FORMULAS) + 1]} == {-3}
    assert values[-2] == ["'=1+1", -1.5]  # the control character the format refuses is dropped
    assert values[-1] == [None, datetime.datetime(2024, 1, 2)]


@pytest.mark.django_db
def test_the_audit_log_export_neutralises_a_planted_formula():
    user = UserFactory()
    record(actor=user, obj=user, action="accounts.test", reason='=HYPERLINK("http://x","y")', after={"nom": "+33 1 23"})
    body = b"".join(audit_csv_response(AuditEvent.objects.all()).streaming_content).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(body, newline=""), delimiter=";"))
    assert row["motif"] == '\'=HYPERLINK("http://x","y")'
    assert row["après"] == "{'nom': '+33 1 23'}"  # a dictionary's text starts with « { »: harmless
