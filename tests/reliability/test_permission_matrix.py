"""The permission matrix: every route and API operation × every role × objects inside and
outside the role's territory, checked against the ONE declared table (policy_table.py),
plus a canary check: no object of another territory leaks into any response."""

import re

import pytest

from . import policy_table, samples
from .matrix import Rule, Scoped, Skip, judge, lookup
from .openapi import operations
from .probe import LEAK_QUERIES, client_for, observe
from .roles import ADMINISTRATOR, NATIONAL_TEAM, ROLES
from .urlmap import site_routes
from .world import World

NATIONWIDE = {NATIONAL_TEAM, ADMINISTRATOR}
API_PREFIX = "/api/v1/"
_PARAM = re.compile(r"{(\w+)}")


def web_routes():
    return [r for r in site_routes() if not r.template.startswith(API_PREFIX) or lookup(policy_table.WEB, r.name)]


def api_keys():
    return [f"{method} {path}" for method, path in operations()]


def test_every_route_and_operation_is_declared():
    missing = [f"{r.name} ({r.template})" for r in web_routes() if lookup(policy_table.WEB, r.name) is None]
    missing += [key for key in api_keys() if lookup(policy_table.API, key) is None]
    assert not missing, (
        "Routes without an entry in tests/reliability/policy_table.py — declare who may use them "
        "(and add a sample object in samples.py if they take parameters):\n  " + "\n  ".join(missing)
    )


def test_every_parameterised_route_has_samples():
    missing = [
        r.name
        for r in web_routes()
        if r.params and isinstance(lookup(policy_table.WEB, r.name), Rule) and lookup(samples.WEB_SAMPLES, r.name) is None
    ]
    missing += [
        key
        for key in api_keys()
        if "{" in key
        and isinstance(lookup(policy_table.API, key), Rule)
        and lookup(samples.API_SAMPLES, key.split(" ", 1)[1]) is None
    ]
    assert not missing, "Parameterised routes without sample objects in tests/reliability/samples.py:\n  " + "\n  ".join(missing)


def _variants(sample_fn, world, needs_params):
    if sample_fn is None:
        if needs_params:  # reported by test_every_parameterised_route_has_samples
            return []
        return [("inside", {})]
    values = sample_fn(world)
    return [(where, kwargs) for where, kwargs in values.items()]


def _check(world, rule, role, where, path, *, api, failures, key):
    observed = observe(client_for(world.cast, role, api=api), rule.method, path)
    expected = rule.outcomes[role]
    if isinstance(expected, Scoped):
        expected = expected.inside if where == "inside" else expected.outside
    if not judge(expected, observed, api=api, method=rule.method):
        failures.append(
            f"{key} as {role} ({where}) {rule.method} {path}: expected {expected}, got {observed.status} {observed.location}{observed.crash}"
        )
    if rule.public_data:
        return
    if role not in NATIONWIDE and world.canary in observed.body:
        failures.append(
            f"LEAK {key} as {role} ({where}) {rule.method} {path}: an object of another territory appears in the response"
        )
    if role not in NATIONWIDE and rule.method == "GET" and where == "inside" and observed.status == 200:
        for query in LEAK_QUERIES:
            leaked = observe(client_for(world.cast, role, api=api), "GET", path + query)
            if world.canary in leaked.body:
                failures.append(f"LEAK {key} as {role} GET {path}{query}: an object of another territory appears in the response")


def _run(entries, *, api, world):
    failures, probes, known = [], 0, {}
    for key, path_of, rule, sample_fn, needs_params in entries:
        if isinstance(rule, Skip):
            continue
        for where, kwargs in _variants(sample_fn, world, needs_params):
            for role in ROLES:
                found = []
                _check(world, rule, role, where, path_of(kwargs), api=api, failures=found, key=key)
                if key in policy_table.KNOWN_DEFECTS:
                    known.setdefault(key, []).extend(f for f in found if not f.startswith("LEAK"))
                    found = [f for f in found if f.startswith("LEAK")]
                failures.extend(found)
                probes += 1
    fixed = [key for key, *_ in entries if key in policy_table.KNOWN_DEFECTS and not known.get(key)]
    failures += [f"{key} now follows the policy: remove it from policy_table.KNOWN_DEFECTS" for key in fixed]
    return failures, probes


@pytest.mark.django_db
# The admin "add" forms of models with a URLField (django-dsfr's DsfrConfig, third-party, and
# the registry's Entry) trigger Django 5's URLField scheme deprecation warning: not a defect of ours.
@pytest.mark.filterwarnings("ignore:The default scheme will be changed:django.utils.deprecation.RemovedInDjango60Warning")
def test_web_routes_follow_the_policy_table(cast):
    world = World(cast)
    entries = [
        (
            r.name,
            r.path_from,
            lookup(policy_table.WEB, r.name),
            lookup(samples.WEB_SAMPLES, r.name) if r.params else None,
            bool(r.params),
        )
        for r in web_routes()
    ]
    entries = [entry for entry in entries if entry[2] is not None]
    failures, probes = _run(entries, api=False, world=world)
    assert not failures, f"{len(failures)} of {probes} probes disagree with policy_table.WEB:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_api_operations_follow_the_policy_table(cast):
    world = World(cast)
    entries = []
    for key in api_keys():
        method, template = key.split(" ", 1)
        rule = lookup(policy_table.API, key)
        if rule is None:
            continue
        if isinstance(rule, Rule) and rule.method != method:
            rule = Rule(rule.outcomes, method=method, note=rule.note, public_data=rule.public_data)

        def path_of(kwargs, template=template):
            return _PARAM.sub(lambda m: str(kwargs[m.group(1)]), template)

        entries.append((key, path_of, rule, lookup(samples.API_SAMPLES, template), "{" in template))
    failures, probes = _run(entries, api=True, world=world)
    assert not failures, f"{len(failures)} of {probes} probes disagree with policy_table.API:\n" + "\n".join(failures)
