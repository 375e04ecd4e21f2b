"""Work ahead in a second process while this one writes to the database."""

import gc
import multiprocessing
import os
import pickle
import queue
import traceback
from collections.abc import Iterable, Iterator

from django.db import connections

# Items computed ahead and not yet taken: bounds the memory of the child's lead.
BUFFERED_ITEMS = 2
_DONE, _FAILED, _ITEM = "done", "failed", "item"


def can_work_ahead() -> bool:
    """True where a child process can inherit the loaded state (fork: Linux, the PaaS)."""
    return "fork" in multiprocessing.get_all_start_methods()


def iterate_ahead(items: Iterable) -> Iterator:
    """Yield what `items` yields, computed in a forked child process, up to
    `BUFFERED_ITEMS` ahead of the consumer.

    The child inherits everything already loaded (no re-import, no pickling of
    `items`); only the items themselves are pickled back. It must not use the database
    (it closes its copies of the parent's database sockets). An exception in the child is
    raised here as a RuntimeError carrying its traceback; leaving the loop early stops
    the child, and a child whose parent died stops by itself.
    """
    context = multiprocessing.get_context("fork")
    channel = context.Queue(BUFFERED_ITEMS)
    child = context.Process(target=_produce, args=(items, channel, os.getpid()), daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload = channel.get(timeout=1)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError(f"Le processus de préparation s'est arrêté (code {child.exitcode}).") from None
                continue
            if kind == _DONE:
                return
            if kind == _FAILED:
                raise RuntimeError(f"Échec du processus de préparation :\n{payload}")
            yield pickle.loads(payload)
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        channel.close()


def _produce(items: Iterable, channel, parent: int) -> None:
    _let_go_of_database_sockets()
    # No garbage collection in this short-lived process: scanning the inherited objects
    # would copy their pages, and what it produces holds no reference cycles.
    gc.disable()
    try:
        for item in items:
            # Pickled here: left to the queue's feeder thread, pickling competes with the
            # work for the interpreter lock (an import's preparation took 35 % longer).
            _put(channel, (_ITEM, pickle.dumps(item, pickle.HIGHEST_PROTOCOL)), parent)
    except _Orphaned:
        # Nobody reads the pipe any more: do not wait at exit for queued items to be sent.
        channel.cancel_join_thread()
        return
    except BaseException:  # reported to the parent, which decides
        channel.put((_FAILED, traceback.format_exc()))
    else:
        _put(channel, (_DONE, None), parent)
    channel.close()
    channel.join_thread()


class _Orphaned(Exception):
    """The parent is gone: nobody will take what this process prepares."""


def _put(channel, message, parent: int) -> None:
    while True:
        try:
            return channel.put(message, timeout=1)
        except queue.Full:
            if os.getppid() != parent:
                raise _Orphaned from None


def _let_go_of_database_sockets() -> None:
    """Close this process's copies of the parent's database sockets, without a word to the
    server (a goodbye would end the parent's session). If the parent is killed, its server
    sessions then end at once and release their locks, instead of waiting for this child."""
    for connection in connections.all(initialized_only=True):
        if connection.vendor == "postgresql" and connection.connection is not None:
            os.close(connection.connection.pgconn.socket)
