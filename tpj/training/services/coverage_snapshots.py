"""The steering's coverage snapshots (journey 6): `coverage.build` kept in the shared cache.

The coverage is kept in the shared cache, per (départements, horizon, day): computed by the worker
(tpj/training/tasks.py, every REFRESH_MINUTES for the country and each région), or by the first
page that misses it; any change to an offer, a session or a bilan makes every snapshot stale
(`changed`), and the next page or the worker computes it again. The page says its age.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from tpj.accounts.scopes import Scope
from tpj.territories.models import Departement

from .coverage import DEFAULT_HORIZON, HORIZONS, Coverage, build, scope_departements

VERSION_KEY = "training:coverage:version"
REFRESH_MINUTES = 10
# A snapshot lives a little longer than the worker's period: where the cache is not shared
# between processes (the embedded locmem default), a change made by another process then shows
# within this delay rather than the next day.
SNAPSHOT_SECONDS = (REFRESH_MINUTES + 5) * 60


def changed() -> None:
    """Make every coverage snapshot stale (an offer, a session or a bilan changed): now, and
    again once the transaction commits (a page computing meanwhile read the data before it)."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or evicted): any new value differs from the snapshots'
        cache.set(VERSION_KEY, timezone.now().timestamp(), None)


def _version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = timezone.now().timestamp()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def _snapshot_key(scope: Scope, region: str | None, horizon: int, today) -> str:
    codes = ",".join(scope_departements(scope, region).values_list("code", flat=True))
    whole = "all" if scope.national and not region else hashlib.sha1(codes.encode()).hexdigest()[:16]
    return f"training:coverage:{whole}:{horizon}:{today.isoformat()}"


def snapshot(scope: Scope, *, region: str | None = None, horizon: int = DEFAULT_HORIZON, refresh: bool = False) -> Coverage:
    """The coverage of `build`, from its snapshot when it is current (same day, no change since),
    else computed and stored; `refresh`: computed whatever the snapshot. Its `computed_at` says when."""
    today = timezone.localdate()
    key = _snapshot_key(scope, region, horizon, today)
    version = _version()
    stored = None if refresh else cache.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    result = build(scope, region=region, horizon=horizon, today=today)
    result.computed_at = timezone.now()
    cache.set(key, (version, result), SNAPSHOT_SECONDS)
    return result


def refresh_snapshots() -> int:
    """Compute the snapshots of the whole country and of each région, for every horizon (the
    worker's periodic task); returns how many were computed."""
    national = Scope(national=True)
    count = 0
    for region in [None, *Departement.objects.values_list("region", flat=True).distinct().order_by("region")]:
        for horizon in HORIZONS:
            snapshot(national, region=region, horizon=horizon, refresh=True)
            count += 1
    return count
