"""Bad JSON bodies are a French 400, never a 500 (issue 13, §7).

The class: bodies too deep (a RecursionError in the JSON scanner), too large, malformed, or
whose top level is not an object (a list, a string, a number, null) where every serializer
expects an object; and integers beyond the database's range (10^20) in ids, in bodies and
query parameters. The operations come from the OpenAPI schema: a new endpoint is covered
without anyone listing it here.
"""

import json
import re
import time

import pytest
from django.test import Client

from tests.calls.factories import applicant, make_call
from tpj.core.parsers import NOT_AN_OBJECT, check_depth

from . import samples
from .matrix import lookup
from .openapi import openapi_schema, operations
from .probe import client_for
from .roles import ADMINISTRATOR, APPLICANT, CALL_MANAGER, JURY_MEMBER, NATIONAL_TEAM, PROFESSIONAL, ROLES
from .world import World

_PARAM = re.compile(r"{(\w+)}")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
OBJECT_WRITES = ("POST", "PUT", "PATCH")
DEEP = "[" * 6000  # 6 KB of brackets, never closed: a RecursionError in json.loads
DEEP_CLOSED = "[" * 3000 + "]" * 3000
HUGE = 10**20

BAD_BODIES = {
    "list": "[]",
    "string": '"x"',
    "null": "null",
    "number": "1",
    "deep": DEEP,
    "deep-closed": DEEP_CLOSED,
    "deep-object": '{"a":' * 2000 + "1" + "}" * 2000,
}


def _french(body: bytes) -> bool:
    text = body.decode("utf-8", "replace")
    return any(word in text for word in ("Le corps de la requête", "JSON valide", "niveaux"))


def _path(template, world):
    sample = lookup(samples.API_SAMPLES, template)
    if "{" in template and sample is None:
        return None
    kwargs = sample(world)["inside"] if sample else {}
    return _PARAM.sub(lambda m: str(kwargs[m.group(1)]), template)


def _send(client: Client, method: str, path: str, body: str):
    from django.db import transaction

    with transaction.atomic():
        response = getattr(client, method.lower())(path, data=body, content_type="application/json")
        transaction.set_rollback(True)
    return response


# --- The parser itself ---------------------------------------------------------------------


def test_depth_scan_is_iterative_and_skips_brackets_inside_strings():
    check_depth("[" * 32 + "]" * 32, 32)
    check_depth(json.dumps({"texte": "[" * 10_000 + "{" * 10_000}), 2)
    check_depth('{"a": "\\"[[[[[[", "b": [1]}', 2)
    with pytest.raises(Exception, match="33|niveaux"):
        check_depth("[" * 33, 32)
    started = time.monotonic()
    with pytest.raises(Exception, match="niveaux"):
        check_depth("[" * 1_000_000, 32)
    check_depth("[]" * 500_000, 32)
    assert time.monotonic() - started < 5


@pytest.mark.django_db
@pytest.mark.parametrize("template", ["/api/v1/auth/token/", "/api/v1/entries/", "/api/v1/calls/{id}/applications/"])
@pytest.mark.parametrize("body", [DEEP, DEEP_CLOSED, '{"a":' * 2000 + "1" + "}" * 2000], ids=["open", "closed", "object"])
def test_a_deeply_nested_body_is_a_french_400(api_client, template, body):
    """The three endpoints of the outside campaign: RecursionError before."""
    call = make_call()
    api_client.force_authenticate(applicant())
    response = api_client.post(template.format(id=call.pk), data=body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "imbrique plus de 32 niveaux" in response.json()["detail"]


@pytest.mark.django_db
def test_a_body_over_the_size_limit_is_a_french_400(api_client, settings):
    api_client.force_authenticate(applicant())
    body = json.dumps({"name": "x" * 2_200_000})
    response = api_client.post("/api/v1/entries/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "dépasse la taille maximale de 2 Mo" in response.json()["detail"]
    # A million characters in one field still reach the serializer (its message names the field).
    within = api_client.post("/api/v1/entries/", data=json.dumps({"name": "x" * 1_000_000}), content_type="application/json")
    assert within.status_code == 400 and "name" in within.json()
    settings.API_JSON_MAX_BYTES = 100
    small = api_client.post("/api/v1/entries/", data=json.dumps({"name": "y" * 200}), content_type="application/json")
    assert small.status_code == 400 and "100 octets" in small.json()["detail"]


@pytest.mark.django_db
def test_malformed_json_is_a_french_400(api_client):
    response = api_client.post("/api/v1/auth/token/", data='{"email": "a@b.fr", ', content_type="application/json")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("Le corps de la requête n'est pas un JSON valide (ligne 1, colonne") and "Expecting" not in detail
    for body in ('{"a": NaN}', "1" * 5000, b"\xff\xfe{}"):
        bad = api_client.post("/api/v1/auth/token/", data=body, content_type="application/json")
        assert bad.status_code == 400 and "Le corps de la requête" in bad.json()["detail"], bad.content


@pytest.mark.django_db
def test_a_top_level_that_is_not_an_object_is_refused_on_writes_only(api_client):
    api_client.force_authenticate(applicant())
    for body in ("[]", '"x"', "null", "1", "true"):
        response = api_client.post("/api/v1/auth/token/", data=body, content_type="application/json")
        assert response.status_code == 400 and response.json() == {"detail": NOT_AN_OBJECT}
    # A form body is not JSON: unchanged.
    form = api_client.post("/api/v1/auth/token/", data={"email": "x@y.fr", "password": "z"})
    assert form.status_code == 400 and NOT_AN_OBJECT not in str(form.json())


@pytest.mark.django_db
def test_patch_entry_with_a_list_a_string_or_null_is_a_french_400(cast):
    """The outside campaign's case: PATCH /api/v1/entries/{id}/ answered 500."""
    world = World(cast)
    client = client_for(cast, PROFESSIONAL, api=True)
    path = f"/api/v1/entries/{world['entry_in'].pk}/"
    for body in ("[]", '["name"]', '"x"', "null", "1"):
        response = _send(client, "PATCH", path, body)
        assert response.status_code == 400, (body, response.status_code, response.content[:300])
        assert response.json() == {"detail": NOT_AN_OBJECT}


# --- Every state-changing operation of the schema -----------------------------------------


def write_operations():
    return [(method, path) for method, path in operations() if method in WRITES]


def test_the_schema_has_write_operations():
    assert len(write_operations()) >= 20


@pytest.mark.django_db
def test_no_write_operation_answers_5xx_to_a_bad_json_body(cast):
    """Every POST/PUT/PATCH/DELETE × every role × each bad body: never a 5xx; where the body
    is read, a French 400 that says what to fix."""
    world = World(cast)
    failures, refused, missing = [], set(), []
    for method, template in write_operations():
        path = _path(template, world)
        if path is None:
            missing.append(template)
            continue
        for role in ROLES:
            client = client_for(cast, role, api=True)
            for name, body in BAD_BODIES.items():
                response = _send(client, method, path, body)
                status = response.status_code
                if status >= 500:
                    failures.append(f"{method} {template} as {role} with {name}: {status}")
                elif status == 400 and not _french(response.content) and method in OBJECT_WRITES:
                    failures.append(f"{method} {template} as {role} with {name}: 400 not in French {response.content[:200]!r}")
                elif status == 400:
                    refused.add((method, template))
    assert not missing, f"write operations without sample objects in samples.py: {missing}"
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
    # Not vacuous: every body-taking write operation is reached by some role and refused.
    reached_nowhere = [
        f"{method} {template}"
        for method, template in write_operations()
        if method in OBJECT_WRITES and (method, template) not in refused and _takes_a_body(method, template)
    ]
    assert not reached_nowhere, "operations no role could send a body to: " + ", ".join(reached_nowhere)


def _takes_a_body(method, template) -> bool:
    return "requestBody" in openapi_schema()["paths"][template][method.lower()]


# --- Integers beyond the database's range -------------------------------------------------


@pytest.mark.django_db
def test_an_id_of_ten_to_the_twentieth_in_a_list_of_ids_is_a_french_400(api_client):
    """call_axes of an application: 10^20 reached SQLite and raised OverflowError."""
    from tpj.calls.models import Application

    call = make_call()
    api_client.force_authenticate(applicant())
    payload = {
        "title": "Café des parents",
        "places": ["35238"],
        "budget_lines": [{"label": "Animation", "amount": "50000"}],
        "requests": [{"agency": agency, "amount": "20000"} for agency in call.agencies],
    }
    valid = api_client.post(f"/api/v1/calls/{call.pk}/applications/", payload, format="json")
    assert valid.status_code == 201, valid.content[:300]  # the payload is otherwise valid: the id is the only fault
    Application.objects.all().delete()
    huge = {**payload, "call_axes": [call.axes.first().pk, HUGE]}
    response = api_client.post(f"/api/v1/calls/{call.pk}/applications/", huge, format="json")
    assert response.status_code == 400, response.content[:300]
    assert "trop grand" in json.dumps(response.json(), ensure_ascii=False)
    assert not Application.objects.exists()


def test_the_id_field_refuses_ids_beyond_the_database_range_in_french():
    from rest_framework import serializers

    from tpj.core.api import IdField

    class Ids(serializers.Serializer):
        ids = serializers.ListField(child=IdField())

    assert Ids(data={"ids": [1, 2**63 - 1]}).is_valid()
    for bad, message in ((HUGE, "trop grand"), (0, "positif"), ("abc", "entier")):
        payload = Ids(data={"ids": [1, bad]})
        assert not payload.is_valid()
        assert message in str(payload.errors["ids"]), payload.errors


def _integer_parameters(item: dict):
    for parameter in item.get("parameters", []):
        if parameter.get("in") == "query":
            yield parameter["name"]


@pytest.mark.django_db
def test_no_operation_answers_5xx_to_huge_integers_in_query_parameters_or_bodies(cast):
    """Every query parameter of every operation, and every integer (or list of integers)
    property of every request body, set to 10^20, as roles that may reach them."""
    world = World(cast)
    schema = openapi_schema()
    failures = []
    for path_template, item in schema["paths"].items():
        path = _path(path_template, world)
        if path is None:
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            if method not in item:
                continue
            operation = item[method]
            query = "&".join(f"{name}={HUGE}" for name in _integer_parameters(operation))
            body = json.dumps(_huge_body(operation, schema)) if method in ("post", "put", "patch") else None
            for role in (PROFESSIONAL, APPLICANT, CALL_MANAGER, JURY_MEMBER, NATIONAL_TEAM, ADMINISTRATOR):
                client = client_for(cast, role, api=True)
                target = f"{path}?{query}" if query else path
                response = _send(client, method.upper(), target, body if body is not None else "")
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {target} as {role}: {response.status_code}")
    assert not failures, "\n".join(failures)


def _resolve(schema_part: dict, schema: dict) -> dict:
    while "$ref" in schema_part:
        name = schema_part["$ref"].rsplit("/", 1)[1]
        schema_part = schema["components"]["schemas"][name]
    return schema_part


def _huge_body(operation: dict, schema: dict) -> dict:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return {}
    properties = _resolve(content["schema"], schema).get("properties", {})
    body = {}
    for name, prop in properties.items():
        prop = _resolve(prop, schema)
        if prop.get("type") == "integer":
            body[name] = HUGE
        elif prop.get("type") == "array" and _resolve(prop.get("items", {}), schema).get("type") == "integer":
            body[name] = [HUGE]
    return body
