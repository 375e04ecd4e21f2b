import os
import re

import pytest
from django.conf import settings as django_settings

from .roles import make_cast


def ensure_measures():
    """The national measures are migration data: transactional tests flush them (PostgreSQL)."""
    from django.apps import apps

    from tpj.valorisation.loader import load_measures
    from tpj.valorisation.models import Measure

    if not Measure.objects.exists():
        load_measures(apps)


@pytest.fixture
def cast(db):
    """One user per role, scoped to Ille-et-Vilaine / Bretagne."""
    ensure_measures()
    return make_cast()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of these tests go to a temporary MEDIA_ROOT, never var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {**django_settings.STORAGES["default"], "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }


def pytest_collection_modifyitems(config, items):
    """CI budget for the API fuzzing: writes are fuzzed as the professional (who may write)
    and the administrator; visitors and call managers mostly get 401/403 before any
    validation. TPJ_FUZZ_ALL_ROLES=1 keeps every combination."""
    if os.environ.get("TPJ_FUZZ_ALL_ROLES"):
        return
    writes = re.compile(
        r"test_api_fuzzing\.py::test_api_conforms_to_its_schema\[(POST|PUT|PATCH|DELETE) .*\]\[(visitor|call_manager)\]$"
    )
    deselected = [item for item in items if writes.search(item.nodeid)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]
