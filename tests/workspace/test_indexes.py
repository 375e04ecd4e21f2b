"""The moderator's queue figures (count, late count, oldest date) are one aggregate read from
the queue index alone, so that a région with 100,000 waiting entries is counted without
reading them (issue 17 §1; PostgreSQL's plan, an index-only scan, is in docs/benchmarks.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import user_with_role
from tests.registry.factories import EntryFactory
from tpj.accounts.models import Role
from tpj.registry.models import State
from tpj.workspace.sections import moderator

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="PostgreSQL's planner prefers sequential scans on a test-sized table"
    ),
]


@pytest.fixture(autouse=True)
def planner_without_statistics():
    """The plan of a fresh table (an earlier test's ANALYZE left statistics in the connection)."""
    with connection.cursor() as cursor:
        if cursor.execute("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").fetchone():
            cursor.execute("DELETE FROM sqlite_stat1")
        cursor.execute("ANALYZE sqlite_schema")


@pytest.mark.parametrize("scope", [{"region": "53"}, {"departements": ["29", "35"]}])
def test_the_queue_figures_read_the_queue_index_alone(scope):
    user = user_with_role(Role.MODERATOR, **scope)
    EntryFactory(state=State.SUBMITTED, submitted_at=timezone.now())
    with CaptureQueriesContext(connection) as captured:
        section = moderator.build(user, timezone.now())
    assert "1 fiche en attente de vérification" in section.items[0].title
    [queue] = [q["sql"] for q in captured.captured_queries if "registry_entry" in q["sql"] and "COUNT(*)" in q["sql"]]
    with connection.cursor() as cursor:
        plan = " ".join(row[-1] for row in cursor.execute(f"EXPLAIN QUERY PLAN {queue}").fetchall())
    assert "COVERING INDEX registry_state_queue" in plan, plan


def test_the_suspensions_proposed_read_the_review_index_not_the_region_s_entries():
    """A région of 100,000 entries: its few proposed suspensions are counted from the yearly
    review's partial index (SQLite read every entry of the région: 0.3 s at 1,000,000)."""
    from tpj.registry.models import Entry, ReviewState

    user = user_with_role(Role.MODERATOR, region="53")
    entry = EntryFactory(state=State.VERIFIED)
    Entry.objects.filter(pk=entry.pk).update(review_state=ReviewState.SUSPENSION_PROPOSED, review_requested_at=timezone.now())
    with CaptureQueriesContext(connection) as captured:
        moderator.build(user, timezone.now())
    [proposed] = [q["sql"] for q in captured.captured_queries if "suspension_proposed" in q["sql"]]
    with connection.cursor() as cursor:
        plan = " ".join(row[-1] for row in cursor.execute(f"EXPLAIN QUERY PLAN {proposed}").fetchall())
    assert "USING INDEX registry_review_pending" in plan, plan
