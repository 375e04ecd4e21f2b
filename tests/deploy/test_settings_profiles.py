"""The production profile as the environment configures it (issue 15 §5): SITE_URL required,
JSON logs, error reports only with a DSN, object storage with FILE_STORAGE=s3, a Redis cache
that a Redis outage cannot break. Each case starts a fresh interpreter with its own
environment, since settings are read once; nothing touches the network."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-production-secret-for-this-test-only",
    "ALLOWED_HOSTS": "1000jours.example",
    "SITE_URL": "https://1000jours.example",
    "CACHE_URL": "redis://127.0.0.1:6390/6",
}
# Variables of the calling shell that would change what is checked here.
_CLEARED = (
    "DJANGO_SETTINGS_MODULE",
    "SITE_URL",
    "SENTRY_DSN",
    "SENTRY_ENVIRONMENT",
    "SENTRY_RELEASE",
    "LOG_FORMAT",
    "FILE_STORAGE",
    "CACHE_URL",
)


def run_django(code: str, **env) -> subprocess.CompletedProcess:
    """Run `code` after django.setup() in a fresh interpreter with `env` added to a clean environment."""
    environment = {k: v for k, v in os.environ.items() if k not in _CLEARED and not k.startswith("AWS_")}
    environment.update(env)
    script = "import django\ndjango.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_site_url():
    env_without = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = run_django("", **env_without)
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr and "ImproperlyConfigured" in result.stderr


def test_production_defaults_json_logs_no_error_reports_filesystem_uploads_resilient_cache():
    result = run_django(
        """
import json, logging, sentry_sdk
from django.conf import settings
from django.core.files.storage import storages
logging.getLogger("tpj.demo").warning("Bonjour %s", "journal")
print(json.dumps({
    "sentry": sentry_sdk.get_client().is_active(),
    "storage": type(storages["default"]).__name__,
    "cache": settings.CACHES["default"],
    "session": settings.SESSION_ENGINE,
    "site": settings.SITE_URL,
}))
""",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["sentry"] is False  # no DSN, no error reports
    assert facts["storage"] == "FileSystemStorage"
    assert facts["cache"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert facts["cache"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert facts["session"] == "django.contrib.sessions.backends.db"
    assert facts["site"] == "https://1000jours.example"
    line = json.loads(result.stderr.strip().splitlines()[-1])  # one JSON object per log line
    assert line["message"] == "Bonjour journal"
    assert (line["level"], line["logger"], line["request_id"]) == ("WARNING", "tpj.demo", "-")
    assert "time" in line


def test_text_logs_when_asked():
    result = run_django('import logging\nlogging.getLogger("tpj.demo").warning("Bonjour")', **PRODUCTION, LOG_FORMAT="text")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("WARNING [-] tpj.demo: Bonjour")


@pytest.mark.parametrize("settings_module", ["config.settings.production", "config.settings.base"])
def test_a_dsn_turns_error_reports_on_without_personal_data(settings_module):
    result = run_django(
        """
import json, sentry_sdk
client = sentry_sdk.get_client()
print(json.dumps({"active": client.is_active(), "pii": client.options["send_default_pii"],
                  "environment": client.options["environment"], "release": client.options["release"],
                  "django": any(type(i).__name__ == "DjangoIntegration" for i in client.integrations.values())}))
""",
        **{**PRODUCTION, "DJANGO_SETTINGS_MODULE": settings_module},
        SENTRY_DSN="https://cle-publique@erreurs.example/42",
        SENTRY_ENVIRONMENT="recette",
        SENTRY_RELEASE="2025.10.1",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "active": True,
        "pii": False,
        "environment": "recette",
        "release": "2025.10.1",
        "django": True,
    }


def test_the_embedded_default_reports_no_errors():
    result = run_django(
        "import sentry_sdk\nprint(sentry_sdk.get_client().is_active())", DJANGO_SETTINGS_MODULE="config.settings.base"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_file_storage_s3_stores_uploads_in_a_private_bucket():
    result = run_django(
        """
import json
from django.core.files.storage import storages
storage = storages["default"]
print(json.dumps({"class": type(storage).__module__ + "." + type(storage).__name__, "bucket": storage.bucket_name,
                  "endpoint": storage.endpoint_url, "acl": storage.default_acl, "signed": storage.querystring_auth,
                  "overwrite": storage.file_overwrite, "location": storage.location}))
""",
        **PRODUCTION,
        FILE_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="tpj-fichiers",
        AWS_S3_ENDPOINT_URL="https://s3.fr-par.scw.cloud",
        AWS_ACCESS_KEY_ID="cle",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_LOCATION="televersements",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "class": "storages.backends.s3.S3Storage",
        "bucket": "tpj-fichiers",
        "endpoint": "https://s3.fr-par.scw.cloud",
        "acl": "private",
        "signed": True,
        "overwrite": False,
        "location": "televersements",
    }
