"""API fuzzing: schemathesis generates requests from our own OpenAPI schema and calls the
Django WSGI application directly, as several roles. Every response must be non-5xx and
conform to the schema (status code documented, body matching the declared shape).

Bounded: FUZZ_EXAMPLES examples per operation and role (env `TPJ_FUZZ_EXAMPLES`, default
small so that `make test` stays fast; the nightly/long run raises it).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

from .openapi import openapi_schema
from .probe import connection_kept
from .roles import ADMINISTRATOR, CALL_MANAGER, COMMISSAIRE, MODERATOR, NATIONAL_TEAM, PROFESSIONAL, VISITOR

FUZZ_EXAMPLES = int(os.environ.get("TPJ_FUZZ_EXAMPLES", "3"))
# CI: four roles covering anonymous, a member, a territorial role and the widest access;
# TPJ_FUZZ_ALL_ROLES=1 adds the moderator, the national team and the commissaire (long run, see docs/reliability.md).
FUZZ_ROLES = [VISITOR, PROFESSIONAL, CALL_MANAGER, ADMINISTRATOR]
if os.environ.get("TPJ_FUZZ_ALL_ROLES"):
    FUZZ_ROLES += [MODERATOR, NATIONAL_TEAM, COMMISSAIRE]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Defects found by this fuzzing and not fixed yet (owner's code): predicate(method, path, role) -> reason.
# Strict xfail: once fixed, the XPASS fails the run so that the entry gets removed.
KNOWN_DEFECTS = []

schema = schemathesis.openapi.from_dict(openapi_schema())
schema.app = application
# The coverage phase (boundary and negative values of every parameter) multiplies the cases
# by ~10: on in the long run (TPJ_FUZZ_COVERAGE=1), off in CI.
schema.config.phases.coverage.enabled = bool(os.environ.get("TPJ_FUZZ_COVERAGE"))


def _nested(depth: int, *, in_objects=True):
    body = {} if in_objects else []
    for _ in range(depth):
        body = {"a": [body]} if in_objects else [body]
    return body


# Hostile bodies mixed into every generated request body (issue 13, §7): nested far beyond the
# parser's depth limit, and larger than its size limit. Each must be a documented 4xx, never a
# 5xx. Depth 400 stays within what the JSON encoder itself can write.
HOSTILE_BODIES = (
    _nested(400),
    _nested(400, in_objects=False),
    {"title": "x" * (3 * 1024 * 1024)},
)


def _with_body(case, body):
    hostile = case.derive()
    hostile.body = body
    return hostile


@schema.hook("flatmap_case")
def _mix_in_hostile_bodies(context, case):
    """JSON bodies only: a form body has no depth, and a multipart body's limit is the upload's."""
    if case.media_type != "application/json":
        return st.just(case)
    return st.one_of(st.just(case), st.sampled_from(HOSTILE_BODIES).map(lambda body: _with_body(case, body)))


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    with connection_kept():
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("role", FUZZ_ROLES)
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, role, cast, request):
    method, path = case.operation.method.upper(), case.operation.path
    for applies, reason in KNOWN_DEFECTS:
        if applies(method, path, role):
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    # Schemathesis's WSGI transport hands the checks the body as sent, without decoding a
    # Content-Encoding: ask for it plain (compression is tested in tests/public_cache).
    case.call_and_validate(headers={"Accept-Encoding": "identity", **cast.headers(role)}, checks=CHECKS)
