"""Imports run by the workers (issue 15 §3): queued, claimed with a lease, written chunk by
chunk, resumed after a killed worker without a duplicate or a lost row, run once when queued
twice; the progress page only reads; a queue that cannot be reached is said in French.

Tests run the queue's tasks at once (HUEY immediate): queuing a job runs it here."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tpj.audit.models import AuditEvent
from tpj.core.queue import QueueUnavailable
from tpj.registry import bulk, importer
from tpj.registry.importer import chunks, jobs
from tpj.registry.models import ContactChannel, Entry, EntryPriority, EntrySituation, ImportJob
from tpj.registry.tasks.imports import recover_imports, run_import

pytestmark = pytest.mark.django_db

HEADER = (
    "identifiant;nom;type;categorie;adresse;code_postal;commune;priorites;description;situation;organisme;"
    "type_organisme;type_reference;reference;email;telephone;contacts_publics"
)
GOOD = "RPE-{};Relais Petite Enfance n° {};etablissement;rpe;;69200;69259;8|9;Ateliers;2;CAF du Rhône;securite_sociale;convention;CONV-{};;;non"
BAD = "RPE-{};;etablissement;rpe;;69200;69259;8;;2;CAF;securite_sociale;convention;CONV-{};;;non"  # no name


def csv_upload(count, bad_every=0):
    rows = [(BAD if bad_every and i % bad_every == 0 else GOOD).format(i, i, i) for i in range(count)]
    return SimpleUploadedFile("rpe.csv", "\n".join([HEADER, *rows]).encode(), content_type="text/csv")


def job_of(author, count=10, chunk_size=3, bad_every=0, source="CAF du Rhône"):
    return importer.create_job(source, csv_upload(count, bad_every), author, chunk_size=chunk_size)


def chunk_events(job):
    return AuditEvent.objects.filter(action="registry.import_chunk", object_id=str(job.pk)).count()


def imported_ids(source="CAF du Rhône"):
    return list(Entry.objects.filter(import_source=source).values_list("external_id", flat=True))


def snapshot(job):
    return ImportJob.objects.filter(pk=job.pk).values().get()


class Killed(BaseException):
    """What a SIGKILL does to the worker's code: no handler runs, the claim is not given back."""


def kill_during_chunk(monkeypatch, number):
    """Make the worker die while it writes chunk `number` (after inserting its entries,
    before the commit)."""
    calls = {"entries": 0}
    insert = bulk.insert_identified

    def dying_insert(table, columns, rows):
        insert(table, columns, rows)
        if table == Entry._meta.db_table:
            calls["entries"] += 1
            if calls["entries"] == number:
                raise Killed

    monkeypatch.setattr(bulk, "insert_identified", dying_insert)


def test_a_queued_job_is_run_by_the_worker_to_the_end_with_its_counts(moderator_69):
    job = job_of(moderator_69, count=10, chunk_size=3, bad_every=4)  # rows 0, 4, 8 refused
    importer.queue_job(job)
    job.refresh_from_db()
    assert (job.status, job.next_row, job.total_rows) == (ImportJob.Status.DONE, 10, 10)
    assert (job.created_count, job.updated_count, job.error_count) == (7, 0, 3)
    assert [error["identifiant"] for error in job.errors] == ["RPE-0", "RPE-4", "RPE-8"]
    assert sorted(imported_ids()) == sorted(f"RPE-{i}" for i in range(10) if i % 4)
    assert job.claimed_until is None and job.finished_at is not None
    assert chunk_events(job) == 4  # 3 + 3 + 3 + 1 rows
    assert AuditEvent.objects.filter(action="registry.import_done", object_id=str(job.pk)).count() == 1


def test_a_worker_killed_mid_chunk_leaves_whole_chunks_and_the_recovery_finishes(moderator_69, monkeypatch):
    job = job_of(moderator_69, count=10, chunk_size=3)
    kill_during_chunk(monkeypatch, 3)
    with pytest.raises(Killed):
        run_import(job.pk)
    monkeypatch.undo()
    job.refresh_from_db()
    # Two chunks committed with their progress; the third rolled back whole.
    assert (job.status, job.next_row, job.created_count) == (ImportJob.Status.RUNNING, 6, 6)
    assert sorted(imported_ids()) == sorted(f"RPE-{i}" for i in range(6))
    # Its lease still runs: the recovery leaves the job to the (presumed live) worker.
    assert recover_imports.call_local() is None and snapshot(job)["next_row"] == 6
    assert importer.recover() == 0

    ImportJob.objects.filter(pk=job.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))  # lease expired
    assert importer.recover() == 1  # queued, and run here
    job.refresh_from_db()
    assert (job.status, job.next_row, job.created_count, job.error_count) == (ImportJob.Status.DONE, 10, 10, 0)
    ids = imported_ids()
    assert len(ids) == len(set(ids)) == 10, "a row was lost or written twice"
    assert chunk_events(job) == 2 + 2  # the dead chunk left no trace


def test_a_job_queued_twice_runs_once(moderator_69):
    job = job_of(moderator_69, count=5, chunk_size=2)
    token = importer.claim(job.pk)  # a worker holds it
    run_import(job.pk)  # the copy queued a second time: nothing to do
    assert snapshot(job)["next_row"] == 0 and not Entry.objects.exists()
    importer.run(ImportJob.objects.get(pk=job.pk), token)
    run_import(job.pk)  # and once the job is done, a late copy changes nothing
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 5)
    assert chunk_events(job) == 3 and Entry.objects.count() == 5


def test_a_worker_whose_lease_expired_writes_nothing_once_another_took_the_job(moderator_69):
    job = job_of(moderator_69, count=6, chunk_size=2)
    slow = importer.claim(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    run_import(job.pk)  # the recovery gave it to another worker, which finished it
    with pytest.raises(importer.LeaseLost):
        importer.run(ImportJob.objects.get(pk=job.pk, status=ImportJob.Status.DONE), slow)
    job.refresh_from_db()
    assert (job.status, job.created_count, Entry.objects.count()) == (ImportJob.Status.DONE, 6, 6)


def test_a_job_that_keeps_stopping_without_progress_is_failed_with_a_french_reason(moderator_69, client):
    job = job_of(moderator_69, count=4)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, attempts=importer.MAX_ATTEMPTS, claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert importer.recover() == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "interrompu plusieurs fois" in job.message
    client.force_login(moderator_69)
    page = client.get(reverse("registry:import-job", args=[job.pk])).content.decode()
    assert "Échec" in page and "interrompu plusieurs fois" in page and "hx-get" not in page


def test_the_progress_page_only_reads_the_job(moderator_69, client):
    job = job_of(moderator_69, count=10, chunk_size=3)  # saved, not queued: no worker ran it
    client.force_login(moderator_69)
    before, entries = snapshot(job), Entry.objects.count()
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        for _ in range(3):
            response = client.get(reverse("registry:import-job", args=[job.pk]), **headers)
            assert response.status_code == 200
    assert snapshot(job) == before and Entry.objects.count() == entries == 0
    page = response.content.decode()
    assert "0 ligne traitée sur 10 (0 %)" in page and "démarrera automatiquement" in page
    assert 'hx-get="/annuaire/import/' in page  # the bar keeps polling while the job is unfinished


def test_the_progress_bar_shows_rows_done_and_refused(moderator_69, client):
    job = job_of(moderator_69, count=10, chunk_size=4, bad_every=3)  # rows 0 and 3 of the first chunk refused
    importer.run(job, importer.claim(job.pk), max_chunks=1)
    client.force_login(moderator_69)
    part = client.get(reverse("registry:import-job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "4 lignes traitées sur 10 (40 %)" in part and 'value="4"' in part and 'max="10"' in part
    assert "2 fiches créées, 0 déjà présente, 2 lignes en erreur" in part and "le nom est vide" in part
    assert "En cours" in part and "hx-get" in part
    # the user left; the list of imports shows the job running, then finished
    listing = client.get(reverse("registry:import")).content.decode()
    assert "En cours (40 %)" in listing
    importer.work(job.pk)
    listing = client.get(reverse("registry:import")).content.decode()
    assert "Terminé : 6 fiches créées, 4 lignes en erreur" in listing


def test_an_import_started_while_the_queue_is_unreachable_is_saved_and_starts_later(moderator_69, client, monkeypatch):
    def unreachable(task, *args):
        raise QueueUnavailable()

    monkeypatch.setattr(jobs, "enqueue", unreachable)
    client.force_login(moderator_69)
    response = client.post(reverse("registry:import"), {"source": "CAF", "file": csv_upload(3)}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "momentanément indisponible" in page and "traitée automatiquement" in page
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PENDING and not Entry.objects.exists()
    monkeypatch.undo()
    assert importer.recover() == 0  # just created: its queuing may still be under way
    assert importer.recover(now=timezone.now() + timedelta(minutes=2)) == 1  # the queue is back
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 3)


def test_the_command_line_queues_the_job_and_prints_its_progress(tmp_path):
    path = tmp_path / "rpe.csv"
    path.write_bytes(csv_upload(5).read())
    out = io.StringIO()
    call_command("import_registry", str(path), "--source", "Réseau X", "--chunk", "2", stdout=out)
    assert "5 fiches créées, 0 déjà présente, 0 ligne en erreur" in out.getvalue()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and chunk_events(job) == 3


def test_the_command_line_here_resumes_the_unfinished_job_of_its_source(tmp_path):
    path = tmp_path / "rpe.csv"
    path.write_bytes(csv_upload(5).read())
    job = importer.create_job("Réseau X", csv_upload(5), None, chunk_size=2)
    importer.run(job, importer.claim(job.pk), max_chunks=1)
    out = io.StringIO()
    call_command("import_registry", str(path), "--source", "Réseau X", "--here", stdout=out)
    assert "Reprise de l'import" in out.getvalue() and "5/5 lignes (100 %)" in out.getvalue()
    job.refresh_from_db()
    assert (ImportJob.objects.count(), job.status, Entry.objects.count()) == (1, ImportJob.Status.DONE, 5)


# -- chunks checked ahead by a second process (importer.chunks, tpj.core.ahead) -------------


@pytest.fixture
def ahead_from_the_fourth_chunk(monkeypatch):
    """The worker checks the first chunks itself, a second process the rest, however small the file."""
    monkeypatch.setattr(chunks, "MIN_AHEAD_ROWS", 0)


def outcome(job):
    job.refresh_from_db()
    entries = Entry.objects.filter(import_source=job.source).order_by("external_id")
    return (
        (job.status, job.next_row, job.created_count, job.error_count),
        [error["ligne"] for error in job.errors],
        list(entries.values_list("external_id", "name", "state", "situations__trusting_body_name")),
    )


def test_chunks_checked_by_a_second_process_give_the_same_entries_and_errors(moderator_69, ahead_from_the_fourth_chunk):
    here = job_of(moderator_69, count=17, chunk_size=3, bad_every=5, source="CAF ici")
    importer.run_claimed(here, importer.claim(here.pk), prepare_ahead=False)
    ahead = job_of(moderator_69, count=17, chunk_size=3, bad_every=5, source="CAF ailleurs")
    importer.queue_job(ahead)  # 3 chunks here, then 3 more checked in the second process
    (state, lines, entries), (state_here, lines_here, entries_here) = outcome(ahead), outcome(here)
    assert state == state_here == (ImportJob.Status.DONE, 17, 13, 4)
    assert lines == lines_here == [2, 7, 12, 17]  # the file's lines, header included
    assert entries == entries_here and len(entries) == 13
    assert chunk_events(ahead) == 6  # 3 + 3 + 3 here, 3 + 3 + 2 ahead


WHOLE = (
    "RPE-{0};Relais « L'Été » n° {0};etablissement;rpe;12 rue de l'Église;69200;69259;2|8|9;Ateliers d'éveil — « jeux »;"
    "2;CAF du Rhône;securite_sociale;convention;CONV-{0};rpe{0}@example.fr;04 72 10 20 {0:02d};{1}"
)
WRITTEN_APART = {"id", "public_id", "import_source", "created_at", "updated_at", "submitted_at", "entry_id"}


def written_rows(source):
    """Every column of the entries of `source` and of their priorities, situation and
    contacts, but those that differ from one import to another (ids, instants, source)."""
    entries = Entry.objects.filter(import_source=source).order_by("external_id")

    def kept(rows):
        return [{k: v for k, v in row.items() if k not in WRITTEN_APART} for row in rows]

    return [
        (
            kept([entry]),
            kept(EntryPriority.objects.filter(entry_id=entry["id"]).order_by("priority_id").values()),
            kept(EntrySituation.objects.filter(entry_id=entry["id"]).values()),
            kept(ContactChannel.objects.filter(entry_id=entry["id"]).order_by("kind").values()),
        )
        for entry in entries.values()
    ]


def test_rows_checked_ahead_are_written_column_for_column_as_those_checked_here(
    moderator_69, ahead_from_the_fourth_chunk, monkeypatch
):
    """On PostgreSQL, the second process sends its rows encoded for binary COPY: every column
    (texts with accents and quotes, numbers, coordinates, booleans, empty values, instants)
    reads back as the rows the worker encoded itself."""
    encoded_copies = []
    copy = bulk._copy_encoded
    monkeypatch.setattr(bulk, "_copy_encoded", lambda *args: encoded_copies.append(args[1]) or copy(*args))
    rows = "\n".join([HEADER, *(WHOLE.format(i, "oui" if i % 2 else "non") for i in range(20))]).encode()
    started = timezone.now()
    here = importer.create_job("ici", SimpleUploadedFile("rpe.csv", rows), moderator_69, chunk_size=3)
    importer.run_claimed(here, importer.claim(here.pk), prepare_ahead=False)
    assert encoded_copies == []
    ahead = importer.create_job("ailleurs", SimpleUploadedFile("rpe.csv", rows), moderator_69, chunk_size=3)
    importer.queue_job(ahead)

    assert written_rows("ailleurs") == written_rows("ici")
    assert len(written_rows("ici")) == 20 and ContactChannel.objects.filter(entry__import_source="ailleurs").count() == 40
    instants = Entry.objects.filter(import_source="ailleurs").values_list("submitted_at", flat=True)
    assert all(started <= instant <= timezone.now() for instant in instants)
    if connection.vendor == "postgresql":  # the rows of chunks 4 to 7 (3 + 3 + 3 + 2) came encoded
        assert encoded_copies.count(Entry._meta.db_table) == 4
        assert set(encoded_copies) == {t._meta.db_table for t in (Entry, EntryPriority, EntrySituation, ContactChannel)}


def test_a_worker_killed_while_a_second_process_works_ahead_loses_and_repeats_nothing(
    moderator_69, monkeypatch, ahead_from_the_fourth_chunk
):
    job = job_of(moderator_69, count=20, chunk_size=3)
    kill_during_chunk(monkeypatch, 5)  # the second chunk checked ahead
    with pytest.raises(Killed):
        run_import(job.pk)
    monkeypatch.undo()
    job.refresh_from_db()
    assert (job.next_row, job.created_count) == (12, 12)
    assert sorted(imported_ids()) == sorted(f"RPE-{i}" for i in range(12))

    ImportJob.objects.filter(pk=job.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))  # lease expired
    monkeypatch.setattr(chunks, "MIN_AHEAD_ROWS", 0)
    assert importer.recover() == 1  # resumed at row 12: 3 chunks here, the rest ahead
    job.refresh_from_db()
    assert (job.status, job.next_row, job.created_count) == (ImportJob.Status.DONE, 20, 20)
    ids = imported_ids()
    assert len(ids) == len(set(ids)) == 20, "a row was lost or written twice"


def test_a_worker_stopping_early_stops_the_second_process_and_the_next_one_resumes(moderator_69, ahead_from_the_fourth_chunk):
    job = job_of(moderator_69, count=30, chunk_size=3)
    importer.run(job, importer.claim(job.pk), max_chunks=5)  # two chunks of the second process taken, more ready
    job.refresh_from_db()
    assert (job.status, job.next_row, job.created_count, job.claimed_until) == (ImportJob.Status.RUNNING, 15, 15, None)
    run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 30)
    assert sorted(imported_ids()) == sorted(f"RPE-{i}" for i in range(30))


def test_without_a_second_process_to_be_had_the_worker_checks_every_chunk_itself(
    moderator_69, monkeypatch, ahead_from_the_fourth_chunk
):
    def no_process(*args):
        raise OSError("Cannot allocate memory")

    monkeypatch.setattr(chunks.ahead, "iterate_ahead", no_process)
    job = job_of(moderator_69, count=20, chunk_size=3)
    importer.queue_job(job)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 20)
    assert sorted(imported_ids()) == sorted(f"RPE-{i}" for i in range(20))
