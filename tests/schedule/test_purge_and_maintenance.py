"""The nightly jobs: the retention purge and the database maintenance, on SQLite and PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from tests.registry.factories import EntryFactory, verified_entry
from tpj.audit.models import AuditEvent
from tpj.core import maintenance
from tpj.core.tasks import maintain_database
from tpj.privacy.tasks import purge_abandoned_drafts
from tpj.registry.models import Entry, State


@pytest.mark.django_db
def test_the_nightly_purge_deletes_abandoned_drafts_only(settings):
    abandoned = EntryFactory(state=State.DRAFT)
    Entry.objects.filter(pk=abandoned.pk).update(updated_at=timezone.now() - datetime.timedelta(days=400))
    recent = EntryFactory(state=State.DRAFT)
    published = verified_entry()
    Entry.objects.filter(pk=published.pk).update(updated_at=timezone.now() - datetime.timedelta(days=400))

    purge_abandoned_drafts()  # the scheduled task (run inline by the test queue)

    assert set(Entry.objects.values_list("pk", flat=True)) == {recent.pk, published.pk}
    assert AuditEvent.objects.filter(action="privacy.purge_drafts").exists()


@pytest.mark.django_db(transaction=True)
def test_database_maintenance_refreshes_statistics_on_either_database():
    for _ in range(3):
        verified_entry()
    report = maintenance.maintain_database()
    assert report["vendor"] == connection.vendor
    if connection.vendor == "postgresql":
        assert {"registry_entry", "registry_entrypriority"} <= set(report["vacuumed"])
        assert report["skipped"] == []
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'registry_entry'")
            assert cursor.fetchone()[0] > 0  # the planner's statistics of the registry exist
    maintain_database(["registry.Entry"])  # the task a bulk import queues (run inline here)
