"""The task queue (huey) as the rest of the code sees it.

The database is the record of every piece of background work (an outgoing e-mail, an
import job, an export job): a task only says "look at row N now". So a task lost with a
killed worker, or never queued because the queue's server was down, is not work lost:
the periodic `recover_…` tasks of each app (`recover_outbox`, `recover_decision_letters`,
`recover_imports`, `recover_exports`) find the rows still waiting and queue them again. Each task claims its row with a conditional update before acting, so a
task queued twice has its effect once.

    enqueue(task, *args)            — now; raises QueueUnavailable (a French message) if the
                                      queue's server cannot be reached.
    enqueue_quietly(task, *args)    — now; False (logged) instead of the exception, for work
                                      the periodic recovery finds again by itself.
    enqueue_on_commit(task, *args)  — once the current transaction commits; a queue that
                                      cannot be reached is logged, and the periodic recovery
                                      queues the work later.
    queue_is_reachable()            — for the health endpoint.
"""

import logging
from functools import partial

from django.db import transaction
from huey.contrib.djhuey import HUEY

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = (
    "Le traitement en arrière-plan est momentanément indisponible. Votre demande est enregistrée : "
    "elle sera traitée automatiquement dès son rétablissement, sans action de votre part."
)


class QueueUnavailable(Exception):
    """The queue's server (Redis, or the SQLite file) refused the task; the message is French."""

    def __init__(self, message: str = UNAVAILABLE_MESSAGE):
        super().__init__(message)
        self.message = message


def enqueue(task, *args, **kwargs):
    """Queue `task(*args, **kwargs)` now; raise QueueUnavailable if the queue cannot take it."""
    try:
        return task(*args, **kwargs)
    except Exception as error:  # redis.ConnectionError, sqlite3.OperationalError, a timeout…
        if HUEY.immediate:
            raise  # tests and the immediate mode run the task here: its own errors are its own
        logger.warning("Queue: %s not queued (%s: %s)", getattr(task, "name", task), type(error).__name__, error)
        raise QueueUnavailable() from error


def enqueue_quietly(task, *args, **kwargs) -> bool:
    """Queue `task`; return False (logged) when the queue cannot take it. For work that the
    periodic recovery finds again by itself."""
    try:
        enqueue(task, *args, **kwargs)
    except QueueUnavailable:
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task` once the current transaction commits (at once outside any)."""
    transaction.on_commit(partial(enqueue_quietly, task, *args, **kwargs), robust=True)


def queue_is_reachable() -> bool:
    """Whether the queue's storage answers (Redis PING, or a read of the SQLite file)."""
    if HUEY.immediate:
        return True
    try:
        HUEY.storage.queue_size()
    except Exception as error:
        logger.warning("Queue: storage unreachable (%s: %s)", type(error).__name__, error)
        return False
    return True
