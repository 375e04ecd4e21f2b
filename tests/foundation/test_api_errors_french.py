"""Every class of API error a client can get answers in French, whatever Accept-Language says
(the platform is French-only): unreadable JSON or multipart body, unsupported media type,
method not allowed, not acceptable, not authenticated, invalid token, throttled, not found,
validation. Sampled over the operations of the OpenAPI schema (tests/reliability/openapi.py).
"""

import re

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.reliability.openapi import operations
from tpj.accounts.api import LoginThrottle

pytestmark = pytest.mark.django_db

LANGUAGES = [None, "fr", "en", "en-US,en;q=0.9", "de"]
FRENCH_WORDS = {"le", "la", "les", "de", "des", "du", "un", "une", "est", "pas", "ce", "cette", "ne", "non", "vous", "en", "à"}
ENGLISH_WORDS = {"the", "and", "of", "with", "for", "not", "is", "was", "were", "no", "error", "found", "must", "be"}
WRITE_OPERATIONS = [(method, path) for method, path in operations() if method in ("POST", "PUT", "PATCH")]
READ_DETAIL_OPERATIONS = [(method, path) for method, path in operations() if method == "GET" and "{" in path]


def messages(data) -> list[str]:
    """Every message of an error body: `detail`, or the messages of each field."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [m for value in data.values() for m in messages(value)]
    if isinstance(data, list):
        return [m for value in data for m in messages(value)]
    return []


def assert_french(response, label=""):
    body = response.json()
    found = messages(body)
    assert found, f"{label}: {response.status_code} sans message : {body}"
    for message in found:
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", message)}
        assert words & FRENCH_WORDS and not words & ENGLISH_WORDS, f"{label}: {response.status_code} « {message} »"


def concrete(path: str) -> str:
    """A path of the schema with every parameter filled by a value that matches nothing."""
    return re.sub(r"\{[^}]+\}", "987654", path)


def client(language, user=None) -> APIClient:
    api = APIClient(**({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.fixture
def member():
    return UserFactory()


@pytest.mark.parametrize("language", LANGUAGES)
def test_unreadable_bodies_are_refused_in_french(language, member):
    anonymous, signed_in = client(language), client(language, member)
    cases = {
        "JSON invalide": anonymous.post("/api/v1/auth/token/", '{"email": ', content_type="application/json"),
        "JSON non objet": anonymous.post("/api/v1/auth/token/", "[1, 2]", content_type="application/json"),
        "JSON invalide (membre)": signed_in.post("/api/v1/entries/", "{bad", content_type="application/json"),
        "multipart sans délimiteur": anonymous.post("/api/v1/auth/token/", "x", content_type="multipart/form-data"),
        "multipart tronqué": anonymous.post(
            "/api/v1/auth/token/",
            '--b\r\nContent-Disposition: form-data; name="email"',
            content_type="multipart/form-data; boundary=b",
        ),
    }
    for label, response in cases.items():
        assert response.status_code == 400, label
        assert_french(response, label)


@pytest.mark.parametrize("language", LANGUAGES)
def test_wrong_media_type_method_and_accept_are_refused_in_french(language, member):
    anonymous, signed_in = client(language), client(language, member)
    unsupported = anonymous.post("/api/v1/auth/token/", "email=x", content_type="text/plain")
    assert unsupported.status_code == 415
    assert_french(unsupported, "415")
    not_allowed = signed_in.delete("/api/v1/me/")
    assert not_allowed.status_code == 405
    assert_french(not_allowed, "405")
    not_acceptable = anonymous.get("/api/v1/regions/", HTTP_ACCEPT="text/csv")
    assert not_acceptable.status_code == 406
    assert_french(not_acceptable, "406")


@pytest.mark.parametrize("language", LANGUAGES)
def test_missing_or_invalid_credentials_are_refused_in_french(language):
    for label, response in {
        "sans jeton": client(language).get("/api/v1/me/"),
        "jeton inconnu": client(language).get("/api/v1/me/", HTTP_AUTHORIZATION="Token 0000"),
        "en-tête mal formé": client(language).get("/api/v1/me/", HTTP_AUTHORIZATION="Token a b"),
        "en-tête vide": client(language).get("/api/v1/me/", HTTP_AUTHORIZATION="Token"),
    }.items():
        assert response.status_code == 401, label
        assert_french(response, label)


@pytest.mark.parametrize("language", LANGUAGES)
def test_throttled_requests_are_refused_in_french(language, monkeypatch):
    monkeypatch.setattr(LoginThrottle, "rate", "1/minute", raising=False)
    api = client(language)
    api.post("/api/v1/auth/token/", {"email": "a@example.fr", "password": "x"}, format="json")
    throttled = api.post("/api/v1/auth/token/", {"email": "a@example.fr", "password": "x"}, format="json")
    assert throttled.status_code == 429
    assert_french(throttled, "429")


@pytest.mark.parametrize("language", LANGUAGES)
def test_validation_messages_are_french(language, member):
    anonymous, signed_in = client(language), client(language, member)
    for label, response in {
        "jeton, champs manquants": anonymous.post("/api/v1/auth/token/", {}, format="json"),
        "jeton, e-mail mal formé": anonymous.post("/api/v1/auth/token/", {"email": "x", "password": 3}, format="json"),
        "fiche, types faux": signed_in.post(
            "/api/v1/entries/", {"kind": [], "category": 3, "name": "", "website": "x", "priorities": "a"}, format="json"
        ),
        "suppression, confirmation fausse": signed_in.post("/api/v1/me/delete/", {"confirmation": "oui"}, format="json"),
        "page inconnue": anonymous.get("/api/v1/regions/?page=999"),
        "filtre mal formé": anonymous.get("/api/v1/entries/?km=loin&priorite=x"),
    }.items():
        assert response.status_code in (400, 404), label
        assert_french(response, label)


@pytest.mark.parametrize(("method", "path"), READ_DETAIL_OPERATIONS)
def test_unknown_objects_are_not_found_in_french(method, path, member):
    for language in ("en", None):
        response = client(language, member).get(concrete(path))
        assert response.status_code in (403, 404), path
        assert_french(response, f"{method} {path}")


@pytest.mark.parametrize(("method", "path"), WRITE_OPERATIONS)
def test_every_write_operation_refuses_bad_input_in_french(method, path, member):
    """Anonymous, signed in with bad JSON, signed in with an unsupported type: whatever the
    refusal (401, 403, 404, 400, 415), its message is French."""
    send = {"POST": "post", "PUT": "put", "PATCH": "patch"}[method]
    url = concrete(path)
    for label, response in {
        "anonyme": getattr(client("en"), send)(url, {}, format="json"),
        "JSON invalide": getattr(client("en", member), send)(url, '{"a": ', content_type="application/json"),
        "type non pris en charge": getattr(client("en", member), send)(url, "a", content_type="text/plain"),
    }.items():
        assert 400 <= response.status_code < 500, f"{method} {path} ({label}): {response.status_code}"
        assert_french(response, f"{method} {path} ({label})")
