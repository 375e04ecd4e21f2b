"""Work ahead in a second process while this one writes to the database.

The second process is a fresh interpreter (`python -m tpj.core.ahead`), not a fork: a
worker may be one thread among others (a fork would copy their locks, held or not, into a
child that can never release them) or a daemonic process (which multiprocessing forbids to
have children). It loads Django's settings and apps (about a second: the settings module
named by DJANGO_SETTINGS_MODULE, as manage.py and the test runner set it; settings
overridden in this process are not seen there), never the database.
"""

import gc
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback

import django
from django.conf import settings
from django.utils.module_loading import import_string

_DONE, _FAILED, _ITEM = "done", "failed", "item"
_LENGTH = 8  # bytes of the length before each message


def iterate_ahead(produce: str, spec) -> "Ahead":
    """Start computing `produce(spec)` (`produce`: the dotted path of a generator function)
    in a second Python process, now; iterate over the result to take its items in order,
    each computed while the caller worked on the previous one.

    `spec` is pickled to the second process and each item pickled back; the second process
    runs at most one item ahead (it waits, its item pickled, until this one takes it),
    which bounds its memory. An exception there is raised here as a RuntimeError carrying
    its traceback. `close()` (or leaving a `with` block) stops the second process; one
    whose parent died stops at its next item (nobody reads the pipe any more)."""
    return Ahead(produce, spec)


class Ahead:
    """The items a second process computes ahead (see `iterate_ahead`)."""

    def __init__(self, produce: str, spec):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tpj.core.ahead"],
            cwd=settings.BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        # Sent by a thread: a large spec fills the pipe until the second process has read it.
        request = pickle.dumps((produce, spec), pickle.HIGHEST_PROTOCOL)
        threading.Thread(target=_send, args=(self.process.stdin, request), daemon=True).start()

    def __iter__(self):
        return self

    def __next__(self):
        try:
            kind, payload = self._read()
        except BaseException:
            self.close()
            raise
        if kind == _ITEM:
            return payload
        self.close()
        if kind == _FAILED:
            raise RuntimeError(f"Échec du processus de préparation :\n{payload}")
        raise StopIteration

    def _read(self) -> tuple:
        header = self.process.stdout.read(_LENGTH)
        message = self.process.stdout.read(int.from_bytes(header, "big")) if len(header) == _LENGTH else b""
        if not message:
            raise RuntimeError(f"Le processus de préparation s'est arrêté (code {self.process.wait()}).")
        return pickle.loads(message)

    def close(self) -> None:
        """Stop the second process (nothing when it has ended)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _send(pipe, data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except (BrokenPipeError, ValueError):  # the second process is gone (or closed): nothing to send to
        pass


def _serve() -> None:
    """The second process: read (produce, spec), write each item, then done or the error."""
    # Stopping is the parent's decision (it kills this process, or stops reading): a Ctrl-C
    # or a consumer's graceful stop sent to the whole group must not cut the parent's work.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    request = sys.stdin.buffer.read()  # at once: the parent's thread sending it can end
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print must not corrupt the channel
    # No garbage collection in this short-lived process: what it produces holds no cycles.
    gc.disable()
    try:
        django.setup()
        produce, spec = pickle.loads(request)
        try:
            for item in import_string(produce)(spec):
                _write(channel, (_ITEM, item))
        except BrokenPipeError:
            raise
        except BaseException:  # reported to the parent, which decides
            _write(channel, (_FAILED, traceback.format_exc()))
        else:
            _write(channel, (_DONE, None))
    except BrokenPipeError:
        # Nobody reads the pipe any more: the parent left early or was killed.
        os._exit(0)


def _write(channel, message) -> None:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    channel.write(len(data).to_bytes(_LENGTH, "big"))
    channel.write(data)
    channel.flush()


if __name__ == "__main__":
    _serve()
