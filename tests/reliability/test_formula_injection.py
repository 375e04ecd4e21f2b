"""Spreadsheet formula injection, as a class: every CSV and XLSX the site serves, found by
walking the URL configuration, carries no live formula — even when every text the users
wrote starts with one.

Every free text column of the modules' tables is rewritten to start with a formula, then
every route is fetched as the administrator and the national team, and as the roles the
policy table lets read it when neither of them may (a team's training plan is its owner's
alone), with each sample object, and both formats where a route takes one; whatever comes
back as a spreadsheet is read cell by cell.

The training offer's exports (a team's plan, the steering coverage, the catalogue) are swept
again with each of the four formula starts (=, +, -, @) in the offers' titles, the plans'
notes and the themes' labels: they are found the same way, from the URL configuration.
"""

import io

import openpyxl
import pytest
from django.apps import apps
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Left

from tpj.core import csv_reader

from . import policy_table, samples
from .matrix import OK, Rule, Scoped, lookup
from .probe import client_for, connection_kept
from .roles import ADMINISTRATOR, NATIONAL_TEAM
from .urlmap import site_routes
from .world import World

FORMULA = '=HYPERLINK("http://evil.example","x")&'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Tables whose text users write and exports read; identifiers, codes and logins keep their
# shape (the pages need them to find the rows), and short columns have no room for a formula.
POISONED_APPS = {"registry", "calls", "valorisation", "training", "accounts"}
KEPT_COLUMNS = {"email", "password", "slug", "siret", "siren", "reference", "search_text", "external_id", "public_id"}
SPREADSHEETS = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _poison_free_text(poisoned_apps=POISONED_APPS, formula=FORMULA, models_too=()) -> int:
    """Rewrite every free text column of `poisoned_apps` (and of the models `models_too`) to
    start with `formula`; the number of columns rewritten."""
    columns = 0
    for model in apps.get_models():
        if (model._meta.app_label not in poisoned_apps and model not in models_too) or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or field.choices or field.unique:
                continue
            if field.name in KEPT_COLUMNS or "code" in field.name or (field.max_length or 10_000) < 60:
                continue
            room = (field.max_length or 10_000) - len(formula)
            model.objects.exclude(**{field.name: ""}).update(**{field.name: Concat(Value(formula), Left(field.name, room))})
            columns += 1
    return columns


def _is_number(text: str) -> bool:
    """A plain number (a negative longitude, an amount) is data, not a formula."""
    try:
        float(text.strip().replace(",", "."))
    except ValueError:
        return False
    return True


def _cells(content_type: str, body: bytes):
    if content_type.startswith("text/csv"):
        for row in csv_reader.reader(csv_reader.decode(body)):
            yield from ((cell, "s") for cell in row)
    else:
        workbook = openpyxl.load_workbook(io.BytesIO(body))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                yield from ((cell.value, cell.data_type) for cell in row)


def _paths(route, world):
    sample = lookup(samples.WEB_SAMPLES, route.name)
    variants = [{}] if sample is None else list(sample(world).values())
    for kwargs in variants:
        if set(route.params) - set(kwargs):
            continue
        yield route.path(**kwargs)
        if kwargs.get("fmt") == "csv":
            yield route.path(**{**kwargs, "fmt": "xlsx"})


def _readers(route) -> tuple:
    """The roles a route is fetched as: the administrator and the national team, and when
    the policy table lets neither read it, the first role it lets read it (in its territory)."""
    rule = lookup(policy_table.WEB, route.name)
    broad = (ADMINISTRATOR, NATIONAL_TEAM)
    if not isinstance(rule, Rule):  # a route the table skips
        return broad
    readers = [
        role for role, outcome in rule.outcomes.items() if outcome == OK or (isinstance(outcome, Scoped) and outcome.inside == OK)
    ]
    return broad if set(broad) & set(readers) else (*broad, *readers[:1])


def _live_formulas(path, role, content_type, body, carrying: set) -> list[str]:
    """The cells of a spreadsheet that a spreadsheet program would run; `carrying` gets
    `path` when a poisoned text reached it."""
    failures = []
    for value, data_type in _cells(content_type, body):
        if data_type == "f":
            failures.append(f"{path} as {role}: formula cell {value!r}")
        elif isinstance(value, str):
            if "evil.example" in value:
                carrying.add(path)
            if value.lstrip(" ").startswith(FORMULA_STARTS) and not _is_number(value):
                failures.append(f"{path} as {role}: live formula {value[:60]!r}")
    return failures


def _fetch(client, path):
    with connection_kept():
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, response.get("Content-Type", ""), body


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:The default scheme will be changed:django.utils.deprecation.RemovedInDjango60Warning")
def test_no_export_carries_a_live_formula(cast):
    world = World(cast)
    assert _poison_free_text() >= 10  # the class covers the modules' free text, not one column
    exports, carrying, failures = [], set(), []
    routes = [r for r in site_routes() if not r.template.startswith(("/api/", "/admin/")) and lookup(policy_table.WEB, r.name)]
    for route in routes:
        for path in _paths(route, world):
            for role in _readers(route):
                status, content_type, body = _fetch(client_for(world.cast, role, api=False), path)
                if status != 200 or not content_type.startswith(SPREADSHEETS):
                    continue
                exports.append(path)
                failures += _live_formulas(path, role, content_type, body, carrying)
    assert not failures, "\n".join(failures[:30])
    # The walk found the exports, and the poisoned texts reached them (else it proves nothing).
    assert len(set(exports)) >= 8, sorted(set(exports))
    assert len(carrying) >= 6, sorted(carrying)


# -- The training offer's exports, with each formula start ----------------------------------

TRAINING_STARTS = ("=", "+", "-", "@")
# The training exports the sweep must find (URL names): a team's plan, the steering coverage
# and the catalogue. They are found by walking the URL configuration, not listed here; this
# only checks the walk found them.
TRAINING_EXPORTS = {"training:plan-export", "training:steering-csv", "training:steering-xlsx", "training:export"}
# Those where a text users wrote lands (the steering coverage shows the themes' labels).
TRAINING_CARRIERS = TRAINING_EXPORTS


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:The default scheme will be changed:django.utils.deprecation.RemovedInDjango60Warning")
def test_the_training_exports_carry_no_live_formula_whatever_its_first_character(cast):
    from tpj.nomenclatures.models import TrainingTheme

    world = World(cast)
    routes = [r for r in site_routes() if r.name.startswith("training:") and lookup(policy_table.WEB, r.name)]
    for start in TRAINING_STARTS:
        # Each round prefixes the previous one: every text now starts with `start`.
        formula = f'{start}HYPERLINK("http://evil.example","x")&'
        assert _poison_free_text({"training"}, formula, models_too=(TrainingTheme,)) >= 5
        found, carrying, failures = set(), set(), []
        for route in routes:
            for path in _paths(route, world):
                for role in _readers(route):
                    status, content_type, body = _fetch(client_for(world.cast, role, api=False), path)
                    if status != 200 or not content_type.startswith(SPREADSHEETS):
                        continue
                    found.add((route.name, content_type.split(";")[0]))
                    reached = set()
                    failures += _live_formulas(path, role, content_type, body, reached)
                    if reached:
                        carrying.add(route.name)
        assert not failures, f"start {start!r}:\n" + "\n".join(failures[:30])
        names = {name for name, _ in found}
        assert names >= TRAINING_EXPORTS, sorted(found)
        # A plan and the coverage, as CSV and as XLSX; the catalogue as CSV.
        assert {("training:plan-export", SPREADSHEETS[1]), ("training:steering-xlsx", SPREADSHEETS[1])} <= found
        assert carrying >= TRAINING_CARRIERS, sorted(carrying)
