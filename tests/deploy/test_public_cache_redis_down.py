"""Redis stopped while the public cache is on (production): the cached public reads are still
answered, from the view, for the training catalogue as for the directory."""

import pytest
from django.urls import reverse

from tests.registry.factories import verified_entry
from tests.training.factories import published_offer

from .conftest import CLOSED_REDIS

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_cache_down(settings):
    down = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": f"{CLOSED_REDIS}/6", "OPTIONS": settings.REDIS_CACHE_OPTIONS}
    settings.CACHES = {"default": down, settings.PUBLIC_CACHE_ALIAS: {**down, "KEY_PREFIX": "public"}}
    settings.PUBLIC_CACHE_SECONDS = 600


@pytest.mark.parametrize(
    "name", ["training:search", "api-training-session-list", "api-training-session-map", "registry:directory"]
)
def test_public_reads_are_served_while_the_cache_is_down(client, public_cache_down, name):
    offer = published_offer(title="Éveil musical du tout-petit")
    verified_entry(name="Crèche des Tilleuls")
    for _ in range(2):  # nothing stored, nothing read back: each one from the view
        response = client.get(reverse(name))
        assert response.status_code == 200, response.content[:300]
    body = response.content.decode()
    if name == "registry:directory":
        assert "Crèche des Tilleuls" in body
    elif name == "api-training-session-map":
        assert response.json()["sessions"] == 1
    else:
        assert offer.title in body
