"""Spreadsheet exports (CSV and XLSX): the one writer behind every export of the project.

Every cell goes through the same rule: a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (after any leading spaces) is prefixed with a single quote, so that a spreadsheet
shows it instead of running it as a formula (OWASP "CSV injection": a structure named
``=HYPERLINK(…)`` must not become a link in a moderator's spreadsheet). Numbers stay numbers: a
negative amount is a number, not a formula.
"""

import csv
import datetime
import io
import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBERS = (int, float, Decimal)  # bool is an int: written as True/False, as the csv module does


def neutralise(text: str) -> str:
    """`text`, prefixed with a single quote when a spreadsheet would read it as a formula."""
    return "'" + text if text.lstrip(" ").startswith(FORMULA_TRIGGERS) else text


def attachment(response: HttpResponse | StreamingHttpResponse, filename: str):
    """`response` offered as a download named `filename`."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- CSV -------------------------------------------------------------------------------------


class _Echo:
    """A file whose `write` returns what it is given: `csv.writer` then formats one row at a
    time, and the rows can be streamed without holding the whole file in memory."""

    def write(self, value):
        return value


def _csv_cell(value, decimal_comma: bool):
    if value is None:
        return ""
    if isinstance(value, _NUMBERS):
        return str(value).replace(".", ",") if decimal_comma and isinstance(value, Decimal) else value
    return neutralise(str(value))


def csv_lines(
    header: Iterable,
    rows: Iterable[Iterable],
    *,
    delimiter: str = ";",
    bom: bool = True,
    lineterminator: str = "\r\n",
    decimal_comma: bool = False,
) -> Iterator[str]:
    """The lines of a CSV file, one row at a time, every cell made safe for spreadsheets.

    By default UTF-8 with a BOM and « ; », as French spreadsheets expect; standard schemas
    (SCDL) want « , » and no BOM. `None` is written as an empty cell; `decimal_comma` writes
    `Decimal` values with a decimal comma.
    """
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator=lineterminator)
    if bom:
        yield "\ufeff"
    yield writer.writerow([_csv_cell(value, decimal_comma) for value in header])
    for row in rows:
        yield writer.writerow([_csv_cell(value, decimal_comma) for value in row])


def csv_response(
    filename: str,
    header: Iterable,
    rows: Iterable[Iterable],
    *,
    delimiter: str = ";",
    bom: bool = True,
    decimal_comma: bool = False,
    streaming: bool = True,
) -> StreamingHttpResponse | HttpResponse:
    """A CSV download (see `csv_lines`), streamed row by row unless `streaming` is False
    (then built in memory, for small exports whose callers read `.content`)."""
    lines = csv_lines(header, rows, delimiter=delimiter, bom=bom, decimal_comma=decimal_comma)
    if streaming:
        return attachment(StreamingHttpResponse(lines, content_type=CSV_CONTENT_TYPE), filename)
    return attachment(HttpResponse("".join(lines), content_type=CSV_CONTENT_TYPE), filename)


# -- XLSX ------------------------------------------------------------------------------------


def _xlsx_cell(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)  # a spreadsheet number is a double anyway
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel knows no time zones
    if isinstance(value, datetime.date | datetime.time):
        return value
    # Control characters are refused by the XLSX format (openpyxl raises): they are dropped.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def xlsx_bytes(header: Iterable, rows: Iterable[Iterable], *, title: str) -> bytes:
    """A one-sheet workbook named `title`. Text cells are plain strings: openpyxl makes a formula
    of any string starting with "=", and neutralised texts never do."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in itertools.chain([header], rows):
        sheet.append([_xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, header: Iterable, rows: Iterable[Iterable], *, title: str) -> HttpResponse:
    """An XLSX download of one sheet (see `xlsx_bytes`)."""
    return attachment(HttpResponse(xlsx_bytes(header, rows, title=title), content_type=XLSX_CONTENT_TYPE), filename)
