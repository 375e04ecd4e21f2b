import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

from tests.factories import UserFactory

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "mot-de-passe-solide-42"  # UserFactory's


def _production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "DEMO_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="plateforme.example.gouv.fr",
        SITE_URL="https://plateforme.example.gouv.fr",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        PYTHONWARNINGS="error::DeprecationWarning",
        **extra,
    )
    return env


def _manage(tmp_path, *args, **extra):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=_production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_production_profile_passes_check_deploy_with_no_warning(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_production_profile_refuses_to_start_without_a_secret_key(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_refuses_to_load_the_demo(tmp_path):
    assert _manage(tmp_path, "migrate", "--noinput", "-v", "0").returncode == 0
    result = _manage(tmp_path, "load_demo")
    assert result.returncode == 1
    assert "qu'en mode démo" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_with_a_nonce_on_scripts(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "https://*.tile.openstreetmap.fr" in directives["img-src"]  # Leaflet tiles
    assert directives["frame-ancestors"] == "'none'"
    body = response.content.decode()
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag
    assert f'nonce="{nonce}"' in body  # DSFR's scripts
    assert client.get("/")["Content-Security-Policy"] != policy  # a fresh nonce each time


@pytest.mark.django_db
def test_the_api_docs_need_no_inline_script_and_no_cdn(client):
    body = client.get("/api/v1/docs/").content.decode()
    scripts = re.findall(r"<script[^>]*>", body)
    assert scripts and all('src="/' in tag for tag in scripts)
    assert "cdn" not in body.lower()


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _login(client, email, password):
    return client.post("/comptes/connexion/", {"email": email, "password": password})


LOCKED = "Trop de tentatives de connexion infructueuses"


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(client, settings):
    UserFactory(email="cible@example.fr")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert "Adresse e-mail ou mot de passe incorrect." in _login(client, "cible@example.fr", "mauvais").content.decode()
    response = _login(client, "Cible@example.fr", PASSWORD)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The API token endpoint shares the counter.
    api = client.post("/api/v1/auth/token/", {"email": "cible@example.fr", "password": PASSWORD}, content_type="application/json")
    assert api.status_code == 400 and LOCKED in api.json()["non_field_errors"][0]
    # Another account is not affected.
    UserFactory(email="autre@example.fr")
    assert _login(client, "autre@example.fr", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_after_the_delay(client, settings):
    UserFactory(email="patient@example.fr")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _login(client, "patient@example.fr", "mauvais")
    assert LOCKED in _login(client, "patient@example.fr", PASSWORD).content.decode()
    later = time.time() + settings.LOGIN_LOCKOUT_SECONDS + 1
    with mock.patch("django.core.cache.backends.locmem.time.time", return_value=later):
        assert _login(client, "patient@example.fr", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_counter(client, settings):
    UserFactory(email="distrait@example.fr")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _login(client, "distrait@example.fr", "mauvais")
    assert _login(client, "distrait@example.fr", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _login(client, "distrait@example.fr", "mauvais")
    assert _login(client, "distrait@example.fr", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_many_failures_from_one_client_lock_that_client(client, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 3
    UserFactory(email="victime@example.fr")
    for i in range(3):
        _login(client, f"essai{i}@example.fr", "mauvais")
    assert LOCKED in _login(client, "victime@example.fr", PASSWORD).content.decode()


@pytest.mark.django_db
def test_the_session_lasts_a_working_day_and_its_cookie_is_http_only(client, settings):
    UserFactory(email="session@example.fr")
    response = _login(client, "session@example.fr", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 12 * 3600
