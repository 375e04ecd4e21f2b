"""Large exports prepared by the workers: asked for on a page, built once, downloaded by their
owner only, recovered after a lost task or a killed worker, purged when they expire."""

import dataclasses
import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from tests.calls.factories import close, make_call, submitted_application
from tests.factories import UserFactory
from tests.registry.factories import EntryFactory, verified_entry
from tests.responses import close_response
from tpj.audit.models import AuditEvent
from tpj.calls.services.decisions import decide
from tpj.calls.services.instruction import declare_eligible
from tpj.core import queue
from tpj.core.queue import UNAVAILABLE_MESSAGE
from tpj.downloads import builders, services
from tpj.downloads.models import ExportJob, size_label
from tpj.registry.models import State

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    close_response(response)
    return content


def _prepare(client, django_capture_on_commit_callbacks, kind, query=""):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("downloads:prepare") + (f"?{query}" if query else ""), {"kind": kind}, follow=True)
    return response


@pytest.fixture
def directory():
    verified_entry(name="Crèche « Les Lutins »")
    verified_entry(name='=HYPERLINK("http://x")')  # neutralised in both files alike
    EntryFactory(name="Pas encore vérifiée", state=State.SUBMITTED)


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [
        ("registry.csv", "csv"),
        ("registry.geojson", "geojson"),
        ("registry.data-inclusion-structures", "data-inclusion-structures"),
        ("registry.data-inclusion-services", "data-inclusion-services"),
    ],
)
def test_a_prepared_directory_file_is_the_synchronous_export(client, django_capture_on_commit_callbacks, directory, kind, fmt):
    user = UserFactory()
    client.force_login(user)
    page = _prepare(client, django_capture_on_commit_callbacks, kind)
    assert "Le fichier est en préparation" in page.content.decode()
    job = ExportJob.objects.get(requested_by=user)
    assert job.status == ExportJob.Status.READY and job.title.endswith("annuaire complet")
    download = client.get(reverse("downloads:file", args=[job.pk]))
    assert download.status_code == 200
    content = _body(download)
    assert content == _body(client.get(reverse("registry:export", args=[fmt])))
    assert (job.size, job.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert "Pas encore vérifiée" not in content.decode("utf-8-sig")
    listing = client.get(reverse("downloads:list")).content.decode()
    assert f"{job.format_label}, {size_label(job.size)}" in listing and "Prêt" in listing


def test_the_directory_filters_of_the_page_are_applied(client, django_capture_on_commit_callbacks):
    verified_entry(name="En Bretagne", region_id="53", departement_id="29", commune_id="29019", postal_code="29200")
    verified_entry(name="Ailleurs", region_id="11", departement_id="75", commune_id="75056", postal_code="75001")
    client.force_login(UserFactory())
    _prepare(client, django_capture_on_commit_callbacks, "registry.csv", "region=53&page=2")
    job = ExportJob.objects.get()
    body = _body(client.get(reverse("downloads:file", args=[job.pk]))).decode("utf-8-sig")
    assert "En Bretagne" in body and "Ailleurs" not in body
    assert job.parameters == {"filtres": "region=53"} and job.rows_written == 1
    assert "région Bretagne" in job.title


def test_invalid_filters_are_refused_in_french_and_nothing_is_queued(client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory())
    page = _prepare(client, django_capture_on_commit_callbacks, "registry.csv", "region=99")
    assert "Région inconnue" in page.content.decode() and not ExportJob.objects.exists()


def _call_with_history():
    call = make_call(strand="ars")
    app = submitted_application(call, requests={"ARS": Decimal("60000")})
    close(call)
    declare_eligible(app, call.manager)
    decide(app, call.manager, "laureate", "Très bon projet", {"ARS": Decimal("60000")})
    return call


def test_a_call_history_is_prepared_for_its_manager_only(client, django_capture_on_commit_callbacks):
    call = _call_with_history()
    client.force_login(call.manager)
    _prepare(client, django_capture_on_commit_callbacks, "calls.history", f"appel={call.pk}")
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.READY and job.filename == f"historique-aap-{call.pk}.csv"
    content = _body(client.get(reverse("downloads:file", args=[job.pk])))
    assert content == _body(client.get(reverse("calls:call-export", args=[call.pk, "historique"])))
    assert "calls.application.select" in content.decode("utf-8-sig")
    # Someone else: no file for them, and no way to ask for it.
    other = UserFactory()
    client.force_login(other)
    assert client.get(reverse("downloads:file", args=[job.pk])).status_code == 404
    assert client.get(reverse("downloads:job", args=[job.pk])).status_code == 404
    assert job.title not in client.get(reverse("downloads:list")).content.decode()
    refused = _prepare(client, django_capture_on_commit_callbacks, "calls.history", f"appel={call.pk}")
    assert refused.status_code == 403 and ExportJob.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    job = ExportJob.objects.create(requested_by=UserFactory(), kind="registry.csv", title="x", filename="a.csv")
    for name, args in (("downloads:list", []), ("downloads:file", [job.pk]), ("downloads:job", [job.pk])):
        assert client.get(reverse(name, args=args)).status_code == 302


def _queued_job(user=None):
    return ExportJob.objects.create(
        requested_by=user or UserFactory(),
        kind="registry.csv",
        title="Annuaire",
        filename="annuaire-1000-premiers-jours.csv",
        content_type="text/csv; charset=utf-8",
        format_label="CSV",
        last_queued_at=timezone.now(),
    )


def test_a_job_queued_twice_is_built_once(directory):
    job = _queued_job()
    assert services.build(job.pk) is True
    first = ExportJob.objects.get(pk=job.pk)
    assert services.build(job.pk) is False  # the second task finds the job done
    again = ExportJob.objects.get(pk=job.pk)
    assert (again.file.name, again.sha256, again.attempts) == (first.file.name, first.sha256, 1)
    assert AuditEvent.objects.filter(action="downloads.ready", object_id=str(job.pk)).count() == 1
    assert default_storage.listdir(f"exports/{job.pk}")[1] == ["annuaire-1000-premiers-jours.csv"]


def test_a_running_build_cannot_be_claimed_by_a_second_worker():
    job = _queued_job()
    assert services.claim(job.pk) is not None
    assert services.claim(job.pk) is None


def test_a_build_whose_worker_died_is_recovered_when_its_lease_expires(directory):
    job = _queued_job()
    services.claim(job.pk)  # a worker took it, then was killed: its lease runs out
    assert services.recover_stalled() == 0  # the lease still holds: nobody else builds it
    ExportJob.objects.filter(pk=job.pk).update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert services.recover_stalled() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY and job.attempts == 2 and job.rows_written == 2


def test_a_build_interrupted_again_and_again_ends_failed_in_french():
    job = _queued_job()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        attempts=services.MAX_ATTEMPTS,
        claimed_until=timezone.now() - datetime.timedelta(minutes=1),
    )
    services.recover_stalled()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.error == services.INTERRUPTED_MESSAGE


def test_queue_unreachable_the_job_waits_and_starts_by_itself(client, django_capture_on_commit_callbacks, monkeypatch, directory):
    monkeypatch.setattr(services, "queue_is_reachable", lambda: False)
    monkeypatch.setattr(queue, "enqueue_quietly", lambda task, *args: False)  # Redis down
    user = UserFactory()
    client.force_login(user)
    page = _prepare(client, django_capture_on_commit_callbacks, "registry.csv")
    assert UNAVAILABLE_MESSAGE in page.content.decode()
    assert [m.level_tag for m in page.context["messages"]] == ["warning"]  # not a success
    job = ExportJob.objects.get(requested_by=user)
    assert job.status == ExportJob.Status.QUEUED
    assert "En attente" in client.get(reverse("downloads:list")).content.decode()
    monkeypatch.undo()  # the queue is back: the periodic recovery queues the waiting job
    services.recover_stalled(now=timezone.now() + services.REQUEUE_AFTER + datetime.timedelta(seconds=1))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY


def test_expired_files_are_purged(client, directory):
    job = _queued_job()
    services.build(job.pk)
    job.refresh_from_db()
    name = job.file.name
    assert default_storage.exists(name)
    assert services.purge_expired() == 0  # still within its 7 days
    assert services.purge_expired(now=timezone.now() + services.KEEP_FOR + datetime.timedelta(minutes=1)) == 1
    assert not default_storage.exists(name) and not ExportJob.objects.filter(pk=job.pk).exists()
    client.force_login(job.requested_by)
    assert client.get(reverse("downloads:file", args=[job.pk])).status_code == 404


def test_the_polling_fragment_reads_the_progress_without_acting(client):
    job = _queued_job()
    client.force_login(job.requested_by)
    fragment = client.get(reverse("downloads:job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-get="' in fragment and "En attente" in fragment and "<progress" in fragment
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED and job.attempts == 0


def _refresh(capture) -> int:
    with capture(execute=True):
        return services.refresh_public_exports()


def _open_data(status=None):
    jobs = ExportJob.objects.filter(requested_by=None)
    return sorted(jobs.filter(status=status).values_list("kind", flat=True)) if status else jobs.count()


PUBLIC_KINDS = sorted(b.kind for b in builders.public_builders())


def test_the_whole_directory_is_served_from_the_regenerated_open_data_file(client, django_capture_on_commit_callbacks, directory):
    assert _refresh(django_capture_on_commit_callbacks) == 1  # immediate queue: built at once, each build queuing the next
    assert _open_data(ExportJob.Status.READY) == PUBLIC_KINDS
    public = ExportJob.objects.public("registry.csv").get()
    served = _body(client.get(reverse("registry:export", args=["csv"])))
    with public.file.open("rb") as stored:
        assert served == stored.read()
    assert _refresh(django_capture_on_commit_callbacks) == 0  # nothing changed since
    # The directory changes: the file is no longer served until the next one is ready.
    verified_entry(name="Nouvelle fiche")
    assert "Nouvelle fiche" in _body(client.get(reverse("registry:export", args=["csv"]))).decode("utf-8-sig")
    assert _refresh(django_capture_on_commit_callbacks) == 1
    assert ExportJob.objects.public("registry.csv").first().rows_written == 3


def test_open_data_files_are_built_one_at_a_time_leaving_the_other_workers_free(django_capture_on_commit_callbacks, directory):
    """At a million entries each file takes minutes: all at once, they held every worker."""
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.refresh_public_exports() == 1
        assert services.refresh_public_exports() == 0  # one already waiting
    assert len(queued) == 1 and _open_data() == 1
    first = ExportJob.objects.get(requested_by=None)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.build(first.pk)  # stored: the next one is queued, not built alongside
    assert len(queued) == 1 and _open_data(ExportJob.Status.QUEUED) == [PUBLIC_KINDS[1]]
    assert services.refresh_public_exports() == 0


def test_with_the_queue_down_the_open_data_file_waits_and_the_chain_resumes_with_it(
    django_capture_on_commit_callbacks, directory, monkeypatch
):
    monkeypatch.setattr(queue, "enqueue_quietly", lambda task, *args: False)  # Redis down
    assert _refresh(django_capture_on_commit_callbacks) == 1
    assert _open_data(ExportJob.Status.QUEUED) == [PUBLIC_KINDS[0]]  # saved, not lost
    assert _refresh(django_capture_on_commit_callbacks) == 0  # still one at a time
    monkeypatch.undo()  # the queue is back: the recovery queues the waiting file, whose build queues the next
    with django_capture_on_commit_callbacks(execute=True):
        services.recover_stalled(now=timezone.now() + services.REQUEUE_AFTER + datetime.timedelta(seconds=1))
    assert _open_data(ExportJob.Status.READY) == PUBLIC_KINDS


def test_an_open_data_file_that_keeps_failing_never_holds_back_the_others(
    django_capture_on_commit_callbacks, directory, monkeypatch
):
    def broken(parameters, user):
        raise OSError("disque plein")

    failing = PUBLIC_KINDS[0]
    monkeypatch.setitem(builders._BUILDERS, failing, dataclasses.replace(builders.get(failing), chunks=broken))
    assert _refresh(django_capture_on_commit_callbacks) == 1  # the first one fails: nothing more queued by it
    assert _open_data(ExportJob.Status.FAILED) == [failing] and _open_data() == 1
    assert _refresh(django_capture_on_commit_callbacks) == 1  # the quarter-hourly run: the others first
    assert _open_data(ExportJob.Status.READY) == PUBLIC_KINDS[1:]
    assert _open_data(ExportJob.Status.FAILED) == [failing, failing]  # then tried again, last
    assert _refresh(django_capture_on_commit_callbacks) == 1 and _open_data(ExportJob.Status.FAILED) == [failing] * 3


def test_size_labels_are_french():
    assert [size_label(n) for n in (850, 3277, 13_002_342)] == ["850 o", "3,2 ko", "12,4 Mo"]
