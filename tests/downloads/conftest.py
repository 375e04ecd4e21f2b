import pytest
from django.conf import settings as django_settings


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Prepared files of these tests go to a temporary MEDIA_ROOT, never var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {**django_settings.STORAGES["default"], "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }
