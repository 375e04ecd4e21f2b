"""Work prepared ahead in a second process (tpj/core/ahead.py), as the CSV import uses it."""

import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tpj.core import ahead

pytestmark = pytest.mark.skipif(not ahead.can_work_ahead(), reason="needs the fork start method (Linux)")


def test_items_arrive_in_order_computed_in_another_process():
    items = list(ahead.iterate_ahead((index, os.getpid()) for index in range(7)))
    assert [index for index, _ in items] == list(range(7))
    assert {pid for _, pid in items} != {os.getpid()}


def _failing():
    yield "first"
    raise ValueError("ligne 3 illisible")


def test_an_error_in_the_second_process_is_raised_with_its_traceback():
    received = []
    with pytest.raises(RuntimeError) as error:
        for item in ahead.iterate_ahead(_failing()):
            received.append(item)
    assert received == ["first"]
    assert "Échec du processus de préparation" in str(error.value) and "ValueError: ligne 3 illisible" in str(error.value)


def test_leaving_early_stops_the_second_process():
    items = ahead.iterate_ahead(iter(range(10_000)))
    assert next(items) == 0
    items.close()
    assert multiprocessing.active_children() == []


def _dying():
    yield "first"
    os._exit(3)


def test_a_second_process_that_dies_is_reported_not_waited_for():
    with pytest.raises(RuntimeError, match="code 3"):
        list(ahead.iterate_ahead(_dying()))


ORPHAN_SCRIPT = """
import itertools, multiprocessing, sys, time
from tpj.core import ahead
items = ahead.iterate_ahead(bytes(1_000_000) for _ in itertools.count())  # larger than a pipe's buffer
next(items)
print(multiprocessing.active_children()[0].pid, flush=True)
time.sleep(60)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "\\nState:\\tZ" not in status.read()  # a zombie has exited
    except FileNotFoundError:
        return False


def test_a_second_process_whose_parent_was_killed_stops_by_itself():
    with subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    ) as parent:
        child = int(parent.stdout.readline())
        assert _running(child)
        parent.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(child)
