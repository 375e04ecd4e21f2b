"""Issue one request as one role, inside a savepoint rolled back afterwards."""

import contextlib
import copy

from django.core import signals
from django.db import close_old_connections, transaction
from django.test import Client

from .matrix import Observation

LEAK_QUERIES = ("?q=Cr%C3%A8che&search=Cr%C3%A8che&region=76&departement=31", "?q=Projet&search=Projet&region=76&page_size=500")


def client_for(cast, role, *, api: bool) -> Client:
    """One client per role and kind, reused: each new Client re-instantiates the middleware
    (WhiteNoise then rescans every static file, ~0.5 s)."""
    clients = cast.__dict__.setdefault("_clients", {})
    if (role, api) not in clients:
        clients[role, api] = _new_client(cast, role, api=api)
    return clients[role, api]


def _new_client(cast, role, *, api: bool) -> Client:
    user = cast.user(role)
    if api:
        token = cast.token(role)
        return (
            Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
            if token
            else Client(raise_request_exception=False)
        )
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def observe(client: Client, method: str, path: str, *, follow_admin_login=True) -> Observation:
    """The request's effects (rows, session, cookies) are undone afterwards."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method.lower())(
            path, **({"content_type": "application/json", "data": {}} if method in ("PUT", "PATCH") else {})
        )
        location = response.get("Location", "")
        if follow_admin_login and response.status_code == 302 and location.startswith("/admin/login/"):
            response = client.get(location)
            location = response.get("Location", "")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        transaction.set_rollback(True)
    client.cookies = cookies
    return Observation(response.status_code, location, body.decode("utf-8", "replace"), crash_of(response))


@contextlib.contextmanager
def connection_kept():
    """Closing a streamed response (or calling the raw WSGI handler) fires request_finished,
    whose close_old_connections would close the test transaction's connection on
    PostgreSQL; Django's test client disconnects it the same way during a request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def crash_of(response) -> str:
    """The exception behind a 500 ("" otherwise), for failure messages."""
    exc_info = getattr(response, "exc_info", None)
    return f" {exc_info[0].__name__}: {str(exc_info[1])[:200]}" if exc_info else ""
