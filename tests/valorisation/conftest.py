from contextlib import contextmanager

import pytest
from django.db import connection

from tests.factories import user_with_role
from tpj.accounts.models import Role


@pytest.fixture
def national():
    return user_with_role(Role.NATIONAL_TEAM)


@pytest.fixture
def bretagne_manager():
    return user_with_role(Role.CALL_MANAGER, region="53")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` — the changes made inside as if their transaction committed: the
    on-commit callbacks (version bumps, search texts) run, then are forgotten as after a
    real commit (a test is one transaction)."""

    @contextmanager
    def as_committed():
        start = len(connection.run_on_commit)
        with django_capture_on_commit_callbacks(execute=True):
            yield
        del connection.run_on_commit[start:]

    return as_committed
