"""The production profile (config.settings.production) as `make loadtest` serves it: the same
settings, the static files collected into the run's temporary directory instead of var/static."""

from config.settings.production import *  # noqa: F403
from config.settings.production import env

STATIC_ROOT = env.path("STATIC_ROOT")
