from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.registry.conftest import _media, member, moderator_35, moderator_69  # noqa: F401  (fixtures)
from tests.registry.factories import verified_entry

DIRECTORY = reverse("registry:directory")
MAP = reverse("api-registry-map")
SEARCH = reverse("api-registry-entry-list")


@pytest.fixture(autouse=True)
def public_cache(settings):
    """The public cache on (the test profile turns it off elsewhere), empty."""
    settings.PUBLIC_CACHE_SECONDS = 600
    cache = caches[django_settings.PUBLIC_CACHE_ALIAS]
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def visitor():
    """An anonymous visitor: no session cookie."""
    return Client()


@pytest.fixture
def published(db):
    """Three published entries in Rennes."""
    return [verified_entry(name=f"Crèche publique {n}") for n in range(3)]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` commits what the block does, as far as the version is
    concerned: pytest-django rolls every test back, so `transaction.on_commit` callbacks
    (the version bumps) would never run. What the test's set-up left pending is committed
    first, so that the block's own bump is not taken for one already due."""

    @contextmanager
    def commit():
        for _, callback, _ in connection.run_on_commit:
            callback()
        connection.run_on_commit.clear()
        with django_capture_on_commit_callbacks(execute=True):
            yield
        connection.run_on_commit.clear()  # run: no longer due (the capture leaves them listed)

    return commit
