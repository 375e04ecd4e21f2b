"""The committee's full export reads its applications in a fixed number of queries, whatever
their number (1,000 applications within 10 s: `manage.py bench --only calls`), and its
eligibility columns still say what the checks of each application say."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tpj.calls.committee_export import committee_table
from tpj.calls.services.checks import eligibility_checks

from .factories import make_call, submitted_application

pytestmark = pytest.mark.django_db


def _queries(call) -> tuple[int, list, list]:
    with CaptureQueriesContext(connection) as queries:
        header, rows = committee_table(call, anonymise=True)
        rows = list(rows)
    return len(queries), header, rows


def test_the_export_queries_do_not_grow_with_the_applications():
    call = make_call()
    apps = [submitted_application(call, title=f"Projet {i}") for i in range(2)]
    few, _, _ = _queries(call)
    apps += [submitted_application(call, title=f"Projet {i}") for i in range(2, 6)]
    many, header, rows = _queries(call)
    assert many == few
    assert len(rows) == 6


def test_the_eligibility_columns_match_each_applications_checks():
    call = make_call()
    attached = submitted_application(call, title="Rattaché à un axe")
    unattached = submitted_application(call, title="Sans axe")
    unattached.call_axes.clear()  # its attachment removed after the submission
    _, header, rows = _queries(call)
    by_title = {row[header.index("projet")]: row for row in rows}
    for app in (attached, unattached):
        for check in eligibility_checks(app):
            cell = by_title[app.title][header.index(f"Recevabilité : {check.label}")]
            assert cell.startswith("conforme" if check.ok else "non conforme"), (app.title, check.label, cell)
    attachment = next(c for c in eligibility_checks(unattached) if c.label.startswith("Rattachement"))
    assert not attachment.ok  # the case the export must not report as « conforme »
