"""Login lockout: count failed logins per address and per client in the cache.

After `LOGIN_FAILURE_LIMIT` failures for one e-mail address (or
`LOGIN_FAILURE_LIMIT_PER_IP` from one client address) within `LOGIN_LOCKOUT_SECONDS`,
further attempts are refused, even with the right password, until the delay has passed.
A successful login clears the address's counter. Used by the login form, hence by the
web login and the API token endpoint alike.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    return "login-failures:" + kind + ":" + hashlib.sha256(value.encode()).hexdigest()[:32]


def client_ip(request) -> str:
    """The client address as seen by Django (set REMOTE_ADDR from the proxy in production)."""
    return (request.META.get("REMOTE_ADDR") if request is not None else "") or "unknown"


def _keys(email: str, request):
    return [
        (_key("email", email.strip().lower()), settings.LOGIN_FAILURE_LIMIT),
        (_key("ip", client_ip(request)), settings.LOGIN_FAILURE_LIMIT_PER_IP),
    ]


def lockout_message() -> str:
    minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
    return (
        f"Trop de tentatives de connexion infructueuses. Par sécurité, réessayez dans {minutes} minutes "
        "ou choisissez un nouveau mot de passe avec « Mot de passe oublié »."
    )


def is_locked(email: str, request) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(email, request))


def record_failure(email: str, request) -> None:
    for key, _limit in _keys(email, request):
        if cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def clear(email: str) -> None:
    cache.delete(_key("email", email.strip().lower()))
