"""The open-data refresh raced on PostgreSQL (committed transactions, threads released
together): a build ending as the quarter-hourly run starts, or two runs at once, still queue
one open-data file at a time."""

from tests.calls.test_issue18_races import at_once
from tests.concurrency import CONCURRENT_ON_POSTGRES
from tests.registry.factories import verified_entry
from tpj.downloads import services
from tpj.downloads.models import ExportJob

pytestmark = CONCURRENT_ON_POSTGRES


def test_refreshes_at_the_same_instant_queue_one_open_data_file(monkeypatch):
    verified_entry(name="Crèche « Les Lutins »")
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, *args: None)  # queued, not built
    created = []

    outcomes = at_once(*[lambda: created.append(services.refresh_public_exports())] * 4)

    assert outcomes == ["ok"] * 4, outcomes
    assert sorted(created) == [0, 0, 0, 1]
    assert ExportJob.objects.filter(requested_by=None, status=ExportJob.Status.QUEUED).count() == 1
