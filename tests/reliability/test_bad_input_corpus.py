"""The versioned bad-input corpus (tests/reliability/corpus/*.json) run against forms and
API endpoints. Every case must end in either
  - a 4xx (or a re-displayed form) with a French message attached to the poisoned field,
    and nothing saved (row counts of every model unchanged), or
  - an acceptance, the value stored as plain text and every HTML page rendering it escaped;
never a 500, never a script rendered unescaped."""

import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from .corpus_targets import ENGLISH, FILE_TARGETS, TARGETS, file_bytes, load, materialise
from .probe import client_for, crash_of

# Defects found by the corpus in other helpers' code, not fixed yet: case-id prefix -> description.
# Tolerated (and listed in docs/reliability.md) but the test fails once they stop occurring.
KNOWN_DEFECTS: dict[str, str] = {}


# Known defects that only show on one engine (data-dependent path): not required to fail.
ENGINE_DEPENDENT: set[str] = set()


def _without_known(problems: list[str], runs_ids: list[str]) -> list[str]:
    remaining = [p for p in problems if not any(p.startswith(prefix) for prefix in KNOWN_DEFECTS)]
    for prefix in KNOWN_DEFECTS.keys() - ENGINE_DEPENDENT:
        if any(i.startswith(prefix) for i in runs_ids) and not any(p.startswith(prefix) for p in problems):
            remaining.append(f"{prefix} no longer fails: remove it from KNOWN_DEFECTS")
    return remaining


HTML_MARKERS = ("<script>alert", "<img src=x onerror", "<svg/onload", '" onmouseover="alert', "<b>gras</b>")


def _counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label not in ("sessions", "admin")}


def _set(payload, dotted, value):
    keys = dotted.split(".")
    node = payload
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    node[int(last) if last.isdigit() else last] = value


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for v in errors.values() for m in _messages(v)]
    if isinstance(errors, list):
        return [m for v in errors for m in _messages(v)]
    return [str(errors)]


class Outcome:
    def __init__(self, status, rejected, errors, bodies):
        self.status, self.rejected, self.errors, self.bodies = status, rejected, errors, bodies


def _send(client, target, payload, *, files=None, path=None):
    path = path or target.path
    if target.method == "GET":
        return client.get(path, payload)
    if target.api:
        return client.post(path, json.dumps(payload), content_type="application/json")
    return client.post(path, {**payload, **(files or {})})


def _form_errors(response):
    context = response.context
    form = context.get("form") if context is not None else None
    return dict(form.errors) if form is not None and form.errors else {}


def _run_case(cast, target, payload, *, files=None, path=None) -> Outcome:
    """Send one poisoned request and, when accepted, render the object's page; all rolled back."""
    client = client_for(cast, target.role, api=target.api)
    # Signed in outside the rolled-back block: a session created inside it would vanish with it.
    page_client = client_for(cast, target.role, api=False) if target.detail_page else None
    with transaction.atomic():
        before = _counts()
        response = _send(client, target, payload, files=files, path=path)
        bodies = [_html(response)]
        errors = {}
        if target.api and 400 <= response.status_code < 500 and response.get("Content-Type", "").startswith("application/json"):
            errors = response.json()
        elif not target.api:
            errors = _form_errors(response)
        rejected = bool(errors) or 400 <= response.status_code < 500
        if rejected:
            unchanged = _counts() == before
        else:
            unchanged = True
            if target.detail_page and target.api and target.method == "POST":
                object_id = response.json().get("id") if response.status_code < 300 else None
                page = page_client.get(target.detail_page.format(id=object_id))
                bodies.append(_html(page))
        transaction.set_rollback(True)
    outcome = Outcome(response.status_code, rejected, errors, bodies)
    outcome.crash = crash_of(response)
    outcome.half_saved = not unchanged
    return outcome


def _html(response) -> str:
    if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
        return ""
    return response.content.decode("utf-8", "replace")


def _judge(case_id, outcome, *, expect="any", error_keys=()) -> list[str]:
    problems = []
    if outcome.status >= 500:
        return [f"{case_id}: HTTP {outcome.status}{outcome.crash}"]
    if expect == "reject" and not outcome.rejected:
        problems.append(f"{case_id}: accepted, expected a refusal")
    if expect == "accept" and outcome.rejected:
        problems.append(f"{case_id}: refused, expected acceptance ({outcome.errors})")
    if outcome.rejected:
        messages = _messages(outcome.errors)
        if outcome.errors and error_keys and not set(error_keys) & set(outcome.errors):
            problems.append(f"{case_id}: message not attached to the field {error_keys}: {outcome.errors}")
        english = [m for m in messages if ENGLISH.search(m)]
        if english:
            problems.append(f"{case_id}: message not in French: {english}")
        if getattr(outcome, "half_saved", False):
            problems.append(f"{case_id}: refused but rows were saved (half-saved)")
    for body in outcome.bodies:
        for marker in HTML_MARKERS:
            if marker in body:
                problems.append(f"{case_id}: markup {marker!r} rendered unescaped")
    return problems


def _path(target, world_ids):
    return target.path.format(**world_ids)


@pytest.fixture
def world_ids(cast):
    from tpj.valorisation.models import Measure

    return {"measure_pk": Measure.objects.get(slug="unites-parents-bebe").pk}


@pytest.mark.django_db
def test_hostile_strings_in_every_text_field(cast, world_ids):
    problems, ids = [], []
    for target in TARGETS:
        for field_name in target.text_fields:
            for case in load("strings.json"):
                payload = json.loads(json.dumps(target.base))
                _set(payload, field_name, materialise(case["value"]))
                outcome = _run_case(cast, target, payload, path=_path(target, world_ids))
                keys = (field_name.split(".")[0], *target.extra_error_keys)
                case_id = f"{target.name}.{field_name}<-{case['id']}"
                problems += _judge(case_id, outcome, error_keys=keys)
                ids.append(case_id)
    runs = len(ids)
    problems = _without_known(problems, ids)
    assert runs >= 200
    assert not problems, f"{len(problems)} problems in {runs} cases:\n" + "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("corpus", ["identifiers.json", "numbers_dates.json"])
def test_malformed_identifiers_numbers_and_dates(cast, world_ids, corpus):
    problems, ids = [], []
    for case in load(corpus):
        for target in TARGETS:
            if case["field"] not in target.typed_fields:
                continue
            path, error_key = target.typed_fields[case["field"]]
            payload = json.loads(json.dumps(target.base))
            if case["field"] in ("siret", "finess", "rpps"):
                _set(payload, "situations.0.reference_type", case["field"])
            if case["field"] == "postal_code":
                _set(payload, "commune", "35238")
            _set(payload, path, materialise(case["value"]))
            outcome = _run_case(cast, target, payload, path=_path(target, world_ids))
            expect = {"reject-or-accept": "any"}.get(case["expect"], case["expect"])
            case_id = f"{target.name}.{path}<-{case['id']} ({case['note']})"
            problems += _judge(case_id, outcome, expect=expect, error_keys=(error_key, "postal_code", *target.extra_error_keys))
            ids.append(case_id)
    runs = len(ids)
    problems = _without_known(problems, ids)
    assert runs
    assert not problems, f"{len(problems)} problems in {runs} cases:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_files_lying_about_their_type(cast):
    from .corpus_targets import Target

    problems, ids = [], []
    for case in load("files.json"):
        role, path, data = FILE_TARGETS[case["target"]]
        name, content = file_bytes(case["kind"])
        target = Target(case["target"], role, "POST", path, data, api=False)
        outcome = _run_case(cast, target, dict(data), files={"file": SimpleUploadedFile(name, content, content_type="text/csv")})
        expect = {"reject-or-accept": "any"}.get(case["expect"], case["expect"])
        problems += _judge(f"{case['id']} ({case['note']})", outcome, expect=expect, error_keys=("file", "__all__"))
        ids.append(case["id"])
    problems = _without_known(problems, ids)
    assert not problems, "\n".join(problems)


def test_corpus_has_at_least_200_cases():
    total = sum(len(load(name)) for name in ("strings.json", "identifiers.json", "numbers_dates.json", "files.json"))
    text_fields = sum(len(t.text_fields) for t in TARGETS)
    assert total >= 100 and len(load("strings.json")) * text_fields + total >= 200
