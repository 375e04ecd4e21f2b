"""Test profile: the base settings with fast hashing and in-memory e-mail."""

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_MODE = True
GEOCODER = "offline"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": None}  # in memory
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon_write": "1000/minute", "login": "1000/minute"}}  # noqa: F405
# Background tasks run in the caller, at once, on an in-memory queue.
HUEY = {**HUEY, "immediate": True}  # noqa: F405
# The public cache (tpj/core/public_cache) is tested in tests/public_cache, which turns it
# on; elsewhere tests read the views themselves (their queries, and a change then a read in
# one test, whose commit never comes: pytest-django rolls each test back).
PUBLIC_CACHE_SECONDS = 0
