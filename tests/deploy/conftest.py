import pytest
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

# Nothing listens on this port: a Redis that is down, without stopping the machine's Redis.
CLOSED_REDIS = "redis://127.0.0.1:6390"


@pytest.fixture
def queue_down():
    """The queue on a Redis that is down: enqueueing fails as it does in production (the tests
    otherwise run tasks at once, in memory)."""
    storage, immediate = HUEY.storage, HUEY._immediate
    HUEY._immediate = False
    HUEY.storage = RedisStorage(HUEY.name, url=f"{CLOSED_REDIS}/0")
    yield HUEY
    HUEY.storage, HUEY._immediate = storage, immediate


@pytest.fixture
def cache_down(settings):
    """The cache on a Redis that is down, configured as production configures it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"{CLOSED_REDIS}/6",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
