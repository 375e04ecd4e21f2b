"""Work prepared ahead in a second process (tpj/core/ahead.py), as the CSV import uses it."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.processes import children, running
from tpj.core import ahead

HERE = "tests.foundation.test_ahead"


def numbered(count):
    """Run in the second process: (index, its process id)."""
    for index in range(count):
        yield index, os.getpid()


def failing(_spec):
    yield "first"
    raise ValueError("ligne 3 illisible")


def dying(_spec):
    yield "first"
    os._exit(3)


def endless(size):
    while True:
        yield bytes(size)  # larger than a pipe's buffer


def test_items_arrive_in_order_computed_in_another_process():
    items = list(ahead.iterate_ahead(f"{HERE}.numbered", 7))
    assert [index for index, _ in items] == list(range(7))
    assert {pid for _, pid in items} != {os.getpid()}


def test_an_error_in_the_second_process_is_raised_with_its_traceback():
    received = []
    with pytest.raises(RuntimeError) as error:
        for item in ahead.iterate_ahead(f"{HERE}.failing", None):
            received.append(item)
    assert received == ["first"]
    assert "Échec du processus de préparation" in str(error.value) and "ValueError: ligne 3 illisible" in str(error.value)


def test_a_second_process_that_dies_is_reported_not_waited_for():
    with pytest.raises(RuntimeError, match="code 3"):
        list(ahead.iterate_ahead(f"{HERE}.dying", None))


def test_leaving_early_stops_the_second_process():
    others = set(children(os.getpid()))  # e.g. the browser of the browser tests, in a full run
    items = ahead.iterate_ahead(f"{HERE}.endless", 1_000_000)
    assert len(next(items)) == 1_000_000
    [child] = set(children(os.getpid())) - others
    items.close()
    assert not running(child)


ORPHAN_SCRIPT = f"""
import django, os, time
django.setup()
from tpj.core import ahead
items = ahead.iterate_ahead("{HERE}.endless", 1_000_000)
next(items)
print(open(f"/proc/{{os.getpid()}}/task/{{os.getpid()}}/children").read().split()[0], flush=True)
time.sleep(60)
"""


def test_a_second_process_whose_parent_was_killed_stops_by_itself():
    with subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    ) as parent:
        child = int(parent.stdout.readline())
        assert running(child)
        parent.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 30
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(child)


def test_a_ctrl_c_sent_to_the_group_leaves_the_second_process_to_its_parent():
    others = set(children(os.getpid()))
    items = ahead.iterate_ahead(f"{HERE}.numbered", 3)
    assert next(items)[0] == 0
    [child] = set(children(os.getpid())) - others
    os.kill(child, signal.SIGINT)
    assert [index for index, _ in items] == [1, 2]
