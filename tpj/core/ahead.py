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
import traceback
from collections.abc import Iterator

import django
from django.conf import settings
from django.utils.module_loading import import_string

_DONE, _FAILED, _ITEM = "done", "failed", "item"
_LENGTH = 8  # bytes of the length before each message


def iterate_ahead(produce: str, spec) -> Iterator:
    """Yield what `produce(spec)` yields (`produce`: the dotted path of a generator
    function), computed in a second Python process while the caller works on the previous
    item.

    `spec` is pickled to the second process and each item pickled back; the second process
    runs at most one item ahead (it waits, its item pickled, until this one takes it),
    which bounds its memory. An exception there is raised here as a RuntimeError carrying
    its traceback; leaving the loop early stops the second process, and one whose parent
    died stops at its next item (nobody reads the pipe any more)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tpj.core.ahead"],
        cwd=settings.BASE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        process.stdin.write(pickle.dumps((produce, spec), pickle.HIGHEST_PROTOCOL))
        process.stdin.close()
        while True:
            kind, payload = _read(process)
            if kind == _DONE:
                return
            if kind == _FAILED:
                raise RuntimeError(f"Échec du processus de préparation :\n{payload}")
            yield payload
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()


def _read(process) -> tuple:
    header = process.stdout.read(_LENGTH)
    message = process.stdout.read(int.from_bytes(header, "big")) if len(header) == _LENGTH else b""
    if not message:
        raise RuntimeError(f"Le processus de préparation s'est arrêté (code {process.wait()}).")
    return pickle.loads(message)


def _serve() -> None:
    """The second process: read (produce, spec), write each item, then done or the error."""
    # Stopping is the parent's decision (it kills this process, or stops reading): a Ctrl-C
    # or a consumer's graceful stop sent to the whole group must not cut the parent's work.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print must not corrupt the channel
    # No garbage collection in this short-lived process: what it produces holds no cycles.
    gc.disable()
    try:
        django.setup()
        produce, spec = pickle.load(sys.stdin.buffer)
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
