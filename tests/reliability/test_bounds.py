"""Accepted when it should not be: dates, identifiers, choices and list sizes (issue 13, §8).

The outside campaign published a call with `applications_deadline: 0001-01-01` and an unknown
targeting kind, saved applications dated year 1 or 9999, a partner SIRET "abc", and an entry
with 10,000 contacts where the form allows 8. The class, over every write operation of the
OpenAPI schema (a new field is covered without anyone listing it here):
- every date of a body gets 0001-01-01 and 9999-12-31: a French 400 naming the field;
- every list gets its declared bound plus one item (a French 400) and its bound (no complaint
  about its size); a list without a declared bound (maxItems) fails: declare the bound;
- every SIRET gets "abc" and 14 digits failing the Luhn check: a French 400 naming the field;
- every enumerated value gets an unknown one: a French 400 naming the accepted values.
The web forms editing the same data are checked for the same rules, and their formsets hold
as many items as the API accepts.
"""

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from stdnum.fr import siret as stdnum_siret

from tpj.core.validators import too_many_items_message

from . import samples
from .matrix import lookup
from .openapi import openapi_schema
from .probe import client_for
from .roles import ADMINISTRATOR, APPLICANT, CALL_MANAGER, JURY_MEMBER, NATIONAL_TEAM, PROFESSIONAL
from .world import World

_PARAM = re.compile(r"{(\w+)}")
ROLES = [ADMINISTRATOR, APPLICANT, PROFESSIONAL, CALL_MANAGER, NATIONAL_TEAM, JURY_MEMBER]
NOT_REACHED = (401, 403, 404, 405)
BAD_DATES = {"date": ["0001-01-01", "9999-12-31"], "date-time": ["0001-01-01T00:00:00", "9999-12-31T23:59:00"]}
BAD_LUHN = "12345678901234"
FRENCH = ("Cette", "n'est pas", "doit", "Valeurs possibles", "au plus", "Indiquez", "date", "SIRET")


# --- Reading the schema --------------------------------------------------------------------


def _resolve(schema: dict) -> dict:
    components = openapi_schema()["components"]["schemas"]
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = {**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}}
        else:
            return schema


def write_bodies():
    """(method, path template, body schema) of every operation taking a JSON body."""
    for path, item in openapi_schema()["paths"].items():
        for method in ("post", "put", "patch"):
            content = (item.get(method, {}).get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                yield method.upper(), path, _resolve(content["application/json"]["schema"])


def fields(schema: dict, prefix=()):
    """(path of keys, resolved schema) of every writable field, nested list items included
    (their path holds "[]")."""
    for name, prop in _resolve(schema).get("properties", {}).items():
        prop = _resolve(prop)
        if prop.get("readOnly"):
            continue
        yield (*prefix, name), prop
        if prop.get("type") == "array":
            yield from fields(_resolve(prop.get("items", {})), (*prefix, name, "[]"))
        elif "properties" in prop:
            yield from fields(prop, (*prefix, name))


def sample_value(schema: dict):
    """A plausible value for a field (the body need not be valid: only one field is judged)."""
    schema = _resolve(schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "array":
        return []
    if kind == "object" or "properties" in schema:
        return {name: sample_value(prop) for name, prop in schema.get("properties", {}).items() if not prop.get("readOnly")}
    if kind == "integer":
        return 1
    if kind == "number":
        return "1.00"
    if kind == "boolean":
        return False
    if fmt == "date":
        return datetime.date.today().isoformat()
    if fmt == "date-time":
        return datetime.datetime.now().isoformat(timespec="minutes")
    return "x"


def body_with(path: tuple, value, items=1) -> dict:
    """A body setting `path` to `value` (lists along the path hold `items` copies)."""
    if len(path) == 1:
        return {path[0]: value}
    if path[1] == "[]":
        inner = body_with(path[2:], value) if len(path) > 2 else value
        return {path[0]: [inner] * items}
    return {path[0]: body_with(path[1:], value, items)}


def _errors_of(payload, key):
    """The errors a 400 gives for `key`, wherever it is nested."""
    found = []
    if isinstance(payload, dict):
        for k, v in payload.items():
            if k == key:
                found.append(v)
            found += _errors_of(v, key)
    elif isinstance(payload, list):
        for v in payload:
            found += _errors_of(v, key)
    return found


# --- Sending -------------------------------------------------------------------------------


class Sender:
    """Sends a body to an operation as the first role whose request reaches the serializer."""

    def __init__(self, cast, world):
        self.cast, self.world, self.roles = cast, world, {}

    def path(self, template):
        sample = lookup(samples.API_SAMPLES, template)
        if "{" in template and sample is None:
            return None
        kwargs = sample(self.world)["inside"] if sample else {}
        return _PARAM.sub(lambda m: str(kwargs[m.group(1)]), template)

    def send(self, method, template, body):
        path = self.path(template)
        assert path, f"{template}: no sample object in samples.API_SAMPLES"
        roles = [self.roles[template, method]] if (template, method) in self.roles else ROLES
        response = None
        for role in roles:
            client = client_for(self.cast, role, api=True)
            with transaction.atomic():
                response = getattr(client, method.lower())(path, data=json.dumps(body), content_type="application/json")
                transaction.set_rollback(True)
            if response.status_code not in NOT_REACHED:
                self.roles[template, method] = role
                return response
        return response


def _cases(kind):
    """(method, template, field path, field schema) of every field of one kind in a write body."""
    cases = []
    for method, template, schema in write_bodies():
        for path, prop in fields(schema):
            name, fmt = path[-1], prop.get("format")
            if (
                (kind == "date" and fmt in BAD_DATES)
                or (kind == "list" and prop.get("type") == "array")
                or (kind == "siret" and "siret" in name)
                or (kind == "enum" and "enum" in prop)
            ):
                cases.append((method, template, path, prop))
    return cases


def _judge_400(response, key, markers=FRENCH):
    if response.status_code != 400:
        return f"{response.status_code} instead of 400"
    errors = _errors_of(response.json(), key)
    if not errors:
        return f"400 without an error for « {key} »: {response.content[:300]!r}"
    if not any(m in str(errors) for m in markers):
        return f"error not in French or not saying what to fix: {errors}"
    return ""


def test_the_schema_has_each_kind_of_field():
    """Not vacuous: the outside campaign's fields are among the generated cases."""
    names = {kind: {c[2][-1] for c in _cases(kind)} for kind in ("date", "list", "siret", "enum")}
    assert {"applications_deadline", "start_date", "end_date", "date"} <= names["date"]
    assert {"contacts", "partners", "budget_lines", "call_axes", "targeting_kinds", "births"} <= names["list"]
    assert {"carrier_siret", "siret"} <= names["siret"]
    assert {"strand", "targeting_mode", "reference_type", "kind"} <= names["enum"]


def test_every_list_of_the_api_declares_its_bound():
    missing = [f"{m} {t} {'.'.join(p)}" for m, t, p, prop in _cases("list") if "maxItems" not in prop]
    assert not missing, "declare the bound (bounded_list/bounded_many, as the form's max_num) of: " + ", ".join(missing)


@pytest.mark.django_db
def test_every_date_of_the_api_refuses_year_1_and_9999(cast):
    sender, failures, count = Sender(cast, World(cast)), [], 0
    for method, template, path, prop in _cases("date"):
        for value in BAD_DATES[prop["format"]]:
            count += 1
            response = sender.send(method, template, body_with(path, value))
            if problem := _judge_400(response, path[-1]):
                failures.append(f"{method} {template} {'.'.join(path)}={value}: {problem}")
    assert count >= 20
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_every_list_of_the_api_refuses_one_item_over_its_bound(cast):
    sender, failures, count = Sender(cast, World(cast)), [], 0
    for method, template, path, prop in _cases("list"):
        bound = prop.get("maxItems")
        if bound is None:
            continue  # test_every_list_of_the_api_declares_its_bound fails
        item = sample_value(prop.get("items", {}))
        count += 2
        over = sender.send(method, template, body_with(path, [item] * (bound + 1)))
        if problem := _judge_400(over, path[-1], markers=(too_many_items_message(bound),)):
            failures.append(f"{method} {template} {'.'.join(path)} × {bound + 1}: {problem}")
        within = sender.send(method, template, body_with(path, [item] * bound))
        if within.status_code >= 500 or too_many_items_message(bound) in within.content.decode():
            failures.append(f"{method} {template} {'.'.join(path)} × {bound}: refused for its size ({within.status_code})")
    assert count >= 40
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_every_siret_of_the_api_is_checked(cast):
    assert not stdnum_siret.is_valid(BAD_LUHN)
    sender, failures, count = Sender(cast, World(cast)), [], 0
    for method, template, path, _ in _cases("siret"):
        for value in ("abc", BAD_LUHN):
            count += 1
            response = sender.send(method, template, body_with(path, value))
            if problem := _judge_400(response, path[-1], markers=("SIRET",)):
                failures.append(f"{method} {template} {'.'.join(path)}={value}: {problem}")
    assert count >= 6
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_every_choice_of_the_api_names_the_accepted_values(cast):
    sender, failures, count = Sender(cast, World(cast)), [], 0
    for method, template, path, prop in _cases("enum"):
        count += 1
        response = sender.send(method, template, body_with(path, "valeur-inconnue"))
        accepted = f"Valeurs possibles : {', '.join(str(v) for v in prop['enum'] if v)}"
        if problem := _judge_400(response, path[-1], markers=(accepted,)):
            failures.append(f"{method} {template} {'.'.join(path)}: {problem}")
    # The outside campaign's case: an unknown targeting kind on a call.
    targeting = [c for c in _cases("list") if c[1] == "/api/v1/calls/{id}/" and c[2] == ("targeting_kinds",)]
    assert targeting, "PATCH /api/v1/calls/{id}/ has targeting_kinds"
    response = sender.send("PATCH", "/api/v1/calls/{id}/", {"targeting_kinds": ["qpv", "lune"]})
    if problem := _judge_400(
        response, "targeting_kinds", markers=("« lune » n'est pas une valeur acceptée. Valeurs possibles : qpv",)
    ):
        failures.append(f"PATCH /api/v1/calls/{{id}}/ targeting_kinds=lune: {problem}")
    assert count >= 8
    assert not failures, "\n".join(failures)


# --- The web forms editing the same data ---------------------------------------------------


def _formsets():
    """API list (operation, field) -> the formset editing the same data."""
    from tpj.calls.forms import applications, calls
    from tpj.registry import forms as registry_forms

    return {
        ("/api/v1/entries/", "contacts"): registry_forms.ContactFormSet,
        ("/api/v1/entries/", "situations"): registry_forms.SituationFormSet,
        ("/api/v1/calls/{id}/applications/", "partners"): applications.PartnerFormSet,
        ("/api/v1/calls/{id}/applications/", "budget_lines"): applications.BudgetFormSet,
        ("/api/v1/calls/{id}/applications/", "cofinancings"): applications.CoFinancingFormSet,
        ("/api/v1/calls/{id}/applications/", "indicators"): applications.IndicatorFormSet,
        ("/api/v1/applications/{id}/scores/", "scores"): calls.CriterionFormSet,
        ("/api/v1/calls/{id}/applications/", "call_axes"): calls.AxisFormSet,
    }


def test_the_forms_and_the_api_share_their_list_bounds():
    bounds = {(t, p[-1]): prop["maxItems"] for _, t, p, prop in _cases("list") if len(p) == 1 and "maxItems" in prop}
    different = [
        f"{t} {f}: form {formset.max_num}, API {bounds.get((t, f))}"
        for (t, f), formset in _formsets().items()
        if formset.max_num != bounds.get((t, f)) or not formset.validate_max
    ]
    assert not different, different


@pytest.mark.django_db
def test_a_formset_over_its_bound_is_refused_in_french():
    from tpj.registry.forms import ContactFormSet
    from tpj.registry.limits import MAX_CONTACTS

    def data(n):
        rows = {f"contacts-{i}-{k}": v for i in range(n) for k, v in (("kind", "phone"), ("value", f"02 99 00 00 0{i % 10}"))}
        return {"contacts-TOTAL_FORMS": str(n), "contacts-INITIAL_FORMS": "0", **rows}

    assert ContactFormSet(data(MAX_CONTACTS), prefix="contacts").is_valid()
    over = ContactFormSet(data(MAX_CONTACTS + 1), prefix="contacts")
    assert not over.is_valid()
    assert "Veuillez soumettre au plus 8 formulaires" in str(over.non_form_errors()) or "8" in str(over.non_form_errors())


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_the_web_forms_refuse_implausible_dates(value):
    from tests.calls.factories import make_call, submitted_application
    from tpj.calls.forms.applications import ApplicationForm
    from tpj.calls.forms.conventions import InstalmentPaymentForm
    from tpj.calls.forms.follow_up import DateForm, IndicatorValueForm

    call = make_call()
    application = ApplicationForm({"title": "Projet", "start_date": value, "end_date": value}, call=call)
    assert not application.is_valid()
    assert {"start_date", "end_date"} <= set(application.errors)
    assert "n'est pas plausible" in application.errors["start_date"][0]
    assert "n'est pas plausible" in DateForm({"date": value}).errors["date"][0]
    submitted = submitted_application(call)
    paid_on = InstalmentPaymentForm.base_fields["paid_on"]  # (its form needs an issued convention)
    with pytest.raises(ValidationError, match="n'est pas plausible"):
        paid_on.clean(value)
    assert "measured_on" in IndicatorValueForm({"measured_on": value}, application=submitted).errors


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_call_form_refuses_an_implausible_deadline(value):
    from tests.calls.factories import make_call
    from tpj.calls.forms.calls import CallForm
    from tpj.calls.models import Call

    call = make_call(state=Call.State.DRAFT)
    form = CallForm(
        {"targeting_mode": "none", "applications_deadline": f"{value}T12:00", "jury_date": value},
        instance=call,
    )
    assert not form.is_valid()
    assert {"applications_deadline", "jury_date"} <= set(form.errors)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", BAD_LUHN])
def test_the_application_form_checks_every_siret(value):
    from tests.calls.factories import make_call
    from tpj.calls.forms.applications import ApplicationForm, PartnerForm

    assert "SIRET" in str(PartnerForm({"name": "Partenaire", "siret": value}).errors["siret"])
    form = ApplicationForm({"title": "Projet", "carrier_siret": value}, call=make_call())
    assert "SIRET" in str(form.errors["carrier_siret"])


def test_one_siret_rule_for_the_whole_platform():
    from tpj.accounts.models import Organisation
    from tpj.core.validators import validate_siret
    from tpj.registry.identifiers import check_siret

    assert validate_siret in Organisation._meta.get_field("siret").validators
    assert check_siret("abc") == "Le SIRET doit comporter 14 chiffres."
    assert check_siret("356 000 000 00048") == ""  # La Poste
