"""Leases: how a worker holds the row that records a piece of background work.

The database is the record of every piece of background work (an outgoing e-mail, a
decision letter, an import job, an export job): its task only says "work on row N". Each
such row has a lease, `claimed_until`, and an `attempts` counter, under one rule:

    claim(claimable, lease=…)  — one conditional UPDATE takes the row for this worker: its
                                 lease runs until now + `lease`, the attempt is counted, and
                                 the claim's token is returned; None when the row was not
                                 claimable (done, or taken first by another worker or by a
                                 copy of the task). No lock is held while the work is done.
    renew(held, lease=…)       — long work extends its lease as it goes; False once the row
                                 is no longer this worker's (then LeaseLost: write nothing).
    release(rows)              — gives the lease back: the row is free at once.
    free(now), is_free(row)    — no live worker holds the row: never claimed, released, or
                                 its lease expired (its worker is presumed dead).
    claimable(now, …)          — the rows waiting for a worker, and those of a dead one.
    requeue(task, ids, …)      — the periodic recovery's loop (every minute, in each owning
                                 app): queue the rows found again. A row still waiting may
                                 carry a "queued" lease meanwhile (its task is presumed lost
                                 after it); a queue that refuses the task drops that lease,
                                 so the next recovery tries again.

What really differs stays with each app: which rows are claimable (the outbox's backoff, a
maximum of attempts), what an outcome records, the import's per-chunk fence.
"""

from datetime import timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .queue import enqueue_quietly


class LeaseLost(Exception):
    """The row was claimed by another worker since (this one's lease had expired)."""


def free(now) -> Q:
    """Rows no live worker holds at `now`: never claimed, released, or their lease expired."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def is_free(row, now=None) -> bool:
    """`free`, for a row already read."""
    now = now or timezone.now()
    return row.claimed_until is None or row.claimed_until < now


def claimable(now, *, waiting: Q, working: Q) -> Q:
    """Rows a worker may claim at `now`: those `waiting` (whatever their queued lease), and
    those `working` whose worker holds them no longer."""
    return waiting | (working & free(now))


def claim(claimable: QuerySet, *, lease: timedelta, now=None, token=None, **changes):
    """Take the row of `claimable` (filtered to one row a worker may take now) for this
    worker, in one conditional UPDATE that also writes `changes`; return the claim's token,
    or None when there was nothing to take.

    The token is `token` when given (stored in the row's `claim_token`), otherwise the
    lease's end (the row's `claimed_until` then identifies the claim). Later writes of this
    worker's outcome are conditional on it: a worker whose lease expired and was taken over
    writes nothing."""
    now = now or timezone.now()
    until = now + lease
    if token is not None:
        changes["claim_token"] = token
    taken = claimable.update(claimed_until=until, attempts=F("attempts") + 1, **changes)
    if not taken:
        return None
    return until if token is None else token


def renew(held: QuerySet, *, lease: timedelta, **changes) -> bool:
    """Extend the lease of the row `held` (filtered to this worker's claim) to now + `lease`,
    writing `changes` with it; False when the row is no longer this worker's."""
    return bool(held.update(claimed_until=timezone.now() + lease, **changes))


def release(rows: QuerySet) -> None:
    """Give the lease of `rows` back: free at once (the recovery queues them again)."""
    rows.update(claimed_until=None)


def queue(task, pk, *, waiting: QuerySet | None = None) -> bool:
    """Queue `task(pk)` now; False when the queue cannot take it. The row, if still among
    `waiting`, then loses its queued lease, so that the next recovery queues it again."""
    if enqueue_quietly(task, pk):
        return True
    if waiting is not None:
        release(waiting.filter(pk=pk))
    return False


def requeue(task, ids, *, waiting: QuerySet | None = None, lease: timedelta | None = None, now=None) -> int:
    """Queue `task(pk)` again for each of `ids` (a recovery's finds); return how many the
    queue took. With `waiting` (the model's rows still waiting for a worker), those of `ids`
    first get a queued lease of `lease`: until it expires, the recovery leaves them be."""
    if waiting is not None and ids:
        waiting.filter(pk__in=ids).update(claimed_until=(now or timezone.now()) + lease)
    return sum(queue(task, pk, waiting=waiting) for pk in ids)
