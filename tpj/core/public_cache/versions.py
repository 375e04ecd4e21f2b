"""The content version of each public scope: read once per public request, bumped after
every commit that changes what the scope shows.

The version lives in the database (`PublicVersion`, one row per scope) so that every web
process sees a bump at once, whatever the cache (the embedded default's locmem cache is
per process). A bump is an autocommit UPDATE run after the writing transaction commits
(`transaction.on_commit`): readers never wait on it, a rolled-back change bumps nothing,
and it holds no lock during the writer's transaction (imports, moderation). A reader that
read the old version just before the bump stores the new content under the old key, which
nobody asks for once the bump is seen — never the old content under the new version.

The new version is the greater of the old one plus one and the current time in
microseconds: it never repeats, even after a database restore brought an older number back
while the cache still held pages keyed by the later ones.
"""

import time

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from .models import PublicVersion

# The scopes: the directory and its map, entry pages and APIs; the projetothèque; the
# national dashboard's figures (staff only: the version keys its page body, not a public read);
# the training catalogue's search, its APIs and map.
REGISTRY = "registry"
PROJECTS = "projetotheque"
DASHBOARD = "dashboard"
TRAINING = "formations"
SCOPES = (REGISTRY, PROJECTS, DASHBOARD, TRAINING)
# Scopes whose answers also depend on the date: the training search shows the sessions not yet
# over, so a session ending today leaves it at midnight with no write to bump the version.
# Their keys carry the local date (PublicCacheMiddleware).
DATED_SCOPES = frozenset({TRAINING})

_SQL = f"SELECT version FROM {PublicVersion._meta.db_table} WHERE scope = %s"


def current(scope: str) -> int:
    """The scope's version: one primary-key lookup (raw SQL, the hottest read of the site)."""
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [scope])
        row = cursor.fetchone()
    return row[0] if row else 0


def bump(scope: str) -> None:
    """Change the scope's version once the current transaction commits (at once outside one).

    Called by the signal handlers of the public models and by the bulk writers that bypass
    them; a transaction that changes a thousand rows bumps once.
    """
    callback = _BUMPERS[scope]
    if connection.in_atomic_block and any(func is callback for _, func, _ in connection.run_on_commit):
        return  # already due at this commit (a rolled-back savepoint drops it, then we register again)
    transaction.on_commit(callback, robust=True)


def bump_now(scope: str) -> None:
    """Change the scope's version now, in its own statement (purges, tests, `bump` on commit)."""
    now = time.time_ns() // 1000
    if PublicVersion.objects.filter(scope=scope).update(version=Greatest(F("version") + 1, Value(now))):
        return
    try:
        with transaction.atomic():
            PublicVersion.objects.create(scope=scope, version=now)
    except IntegrityError:  # created meanwhile by another process
        bump_now(scope)


def bump_all() -> None:
    """Invalidate every cached public read (`manage.py purge_public_cache`, after a restore)."""
    for scope in SCOPES:
        bump_now(scope)


def _bumper(scope):
    def bump_on_commit():
        bump_now(scope)

    bump_on_commit.__qualname__ = f"bump_on_commit[{scope}]"
    return bump_on_commit


# One callable per scope, so that `bump` can tell whether this commit already carries it.
_BUMPERS = {scope: _bumper(scope) for scope in SCOPES}
