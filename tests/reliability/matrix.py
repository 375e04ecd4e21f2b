"""Machinery of the permission matrix: outcomes, rules, and how a response is judged."""

import fnmatch
from dataclasses import dataclass, field

from django.conf import settings
from django.shortcuts import resolve_url

from .roles import ADMINISTRATOR, NATIONAL_TEAM, ROLES, VISITOR

# Outcomes
OK = "ok"  # 2xx, or a redirect elsewhere than a login page; for API writes: passed the policy (e.g. 400 on an empty body)
LOGIN = "login"  # web: redirect to the login page; API: 401 (or 403 when no authenticator challenges)
DENIED = "403"
HIDDEN = "404"
BAD = "400"  # the request itself is refused (e.g. a forged confirmation token), whoever asks
NOT_ALLOWED = "405"


@dataclass(frozen=True)
class Scoped:
    """The outcome depends on the object: in the role's territory or not."""

    inside: str = OK
    outside: str = DENIED


@dataclass(frozen=True)
class Rule:
    outcomes: dict  # role -> outcome or Scoped
    method: str = "GET"
    note: str = ""
    public_data: bool = False  # the page shows an object by design whatever its territory (no canary check)


@dataclass(frozen=True)
class Skip:
    reason: str


def everyone(method="GET", **kwargs) -> Rule:
    return Rule(dict.fromkeys(ROLES, OK), method=method, **kwargs)


def signed_in(method="GET", **kwargs) -> Rule:
    return Rule({role: (LOGIN if role == VISITOR else OK) for role in ROLES}, method=method, **kwargs)


def nobody_but(*allowed, scoped=(), outside=DENIED, otherwise=DENIED, visitor=LOGIN, method="GET", **kwargs) -> Rule:
    """`allowed` roles succeed anywhere, `scoped` roles only on objects of their territory."""
    outcomes = {}
    for role in ROLES:
        if role in allowed:
            outcomes[role] = OK
        elif role in scoped:
            outcomes[role] = Scoped(OK, outside)
        elif role == VISITOR:
            outcomes[role] = visitor
        else:
            outcomes[role] = otherwise
    return Rule(outcomes, method=method, **kwargs)


def national(*extra, **kwargs) -> Rule:
    return nobody_but(NATIONAL_TEAM, ADMINISTRATOR, *extra, **kwargs)


def lookup(table: dict, key: str):
    """Exact key first, then the longest matching glob pattern."""
    if key in table:
        return table[key]
    matches = [pattern for pattern in table if any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(key, pattern)]
    return table[max(matches, key=len)] if matches else None


LOGIN_PATHS = ("/comptes/connexion/", "/admin/login/")


@dataclass
class Observation:
    status: int
    location: str = ""
    body: str = field(default="", repr=False)
    crash: str = ""


def judge(expected: str, observed: Observation, *, api: bool, method: str) -> bool:
    status = observed.status
    redirected_to_login = status in (301, 302) and observed.location.split("?")[0].endswith(LOGIN_PATHS)
    if expected == OK:
        if api and method != "GET":
            return status < 500 and status not in (401, 403, 404, 405)
        return 200 <= status < 300 or (300 <= status < 400 and not redirected_to_login)
    if expected == LOGIN:
        return status in (401, 403) if api else redirected_to_login
    return status == int(expected)


def login_url() -> str:
    return resolve_url(settings.LOGIN_URL)
