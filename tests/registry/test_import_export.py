"""CSV import (Latin-1, missing column, per-row errors, idempotent, resumable) and
open-data exports (CSV, GeoJSON, data·inclusion validated with its schema)."""

import csv
import gc
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tpj.registry import importer
from tpj.registry.models import Entry, ImportJob, State

from .factories import FINESS_CHU_RENNES, EntryFactory, verified_entry

pytestmark = pytest.mark.django_db

HEADER = (
    "identifiant;nom;type;categorie;adresse;code_postal;commune;priorites;description;situation;organisme;"
    "type_organisme;type_reference;reference;email;telephone;contacts_publics"
)
ROWS = [
    "RPE-1;Relais Petite Enfance de Vénissieux;etablissement;rpe;1 place Léon Sublet;69200;69259;8|9;Ateliers d'éveil;2;CAF du Rhône;securite_sociale;convention;CONV-2024-17;rpe@venissieux.fr;;oui",
    "RPE-2;Relais Petite Enfance de Bron;etablissement;rpe;;69500;69029;8;Accueil des assistantes maternelles;2;CAF du Rhône;securite_sociale;convention;CONV-2024-18;;0478000000;non",
    "RPE-3;Relais mal rempli;etablissement;rpe;;69001;69029;;;9;CAF;banque;finess;750712185;;;",
]


def upload(text: str, encoding="utf-8", name="rpe.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_import_creates_submitted_entries_with_per_row_french_errors(moderator_69):
    job = importer.create_job("CAF du Rhône — RPE", upload("\n".join([HEADER, *ROWS])), moderator_69)
    importer.work(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.created_count == 2 and job.error_count == 1
    error = job.errors[0]
    assert error["ligne"] == 4 and error["identifiant"] == "RPE-3"
    text = " ".join(error["erreurs"])
    assert "ne correspond pas à Bron" in text and "aucune priorité" in text and "situation" in text
    assert "type d'organisme inconnu" in text and "clé de contrôle" in text
    entry = Entry.objects.get(external_id="RPE-1")
    assert entry.state == State.SUBMITTED and entry.departement_id == "69" and entry.priority_mask == (1 << 8) | (1 << 9)
    assert [c.is_public for c in entry.contacts.all()] == [True]
    # Idempotent: the same file again creates nothing.
    again = importer.create_job("CAF du Rhône — RPE", upload("\n".join([HEADER, *ROWS])), moderator_69)
    importer.work(again.pk)
    again.refresh_from_db()
    assert again.created_count == 0 and again.updated_count == 2 and Entry.objects.count() == 2


def test_overlong_identifiers_and_repeated_rows_stay_idempotent(moderator_69):
    long_id = "CAF-69-" + "x" * 150  # stored on 100 characters
    rows = [ROWS[0].replace("RPE-1", long_id), ROWS[0].replace("RPE-1", long_id), ROWS[1]]
    for expected_created in (2, 0):
        job = importer.create_job("CAF", upload("\n".join([HEADER, *rows])), moderator_69)
        importer.work(job.pk)
        job.refresh_from_db()
        assert job.created_count == expected_created and job.error_count == 0
    assert job.updated_count == 3 and Entry.objects.count() == 2
    assert Entry.objects.filter(external_id=long_id[:100]).count() == 1


def test_latin1_file_is_read_and_said_so(moderator_69):
    job = importer.create_job("CAF", upload("\n".join([HEADER, ROWS[0]]), encoding="cp1252"), moderator_69)
    assert "Latin-1" in job.message
    importer.work(job.pk)
    assert Entry.objects.get().name == "Relais Petite Enfance de Vénissieux"


def test_missing_column_refuses_the_file_before_saving_anything(moderator_69):
    header = HEADER.replace("situation;", "")
    with pytest.raises(Exception) as error:
        importer.create_job("CAF", upload("\n".join([header, ROWS[0]])), moderator_69)
    assert "Colonne(s) manquante(s) : situation" in str(error.value)
    assert not ImportJob.objects.exists() and not Entry.objects.exists()


def test_import_resumes_after_interruption(moderator_69):
    rows = [ROWS[0].replace("RPE-1", f"RPE-{i}") for i in range(10)]
    job = importer.create_job("CAF", upload("\n".join([HEADER, *rows])), moderator_69, chunk_size=4)
    importer.run(job, importer.claim(job.pk), max_chunks=1)  # "interrupted" after one chunk
    job.refresh_from_db()
    assert job.next_row == 4 and Entry.objects.count() == 4 and job.status == ImportJob.Status.RUNNING
    importer.work(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Entry.objects.count() == 10


def test_import_page_with_progress_and_command_line(client, moderator_69, tmp_path):
    client.force_login(moderator_69)
    response = client.post(reverse("registry:import"), {"source": "CAF", "file": upload("\n".join([HEADER, *ROWS]))})
    assert response.status_code == 302
    progress = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "2 fiches créées" in progress and "ne correspond pas" in progress
    bad = client.post(reverse("registry:import"), {"source": "CAF", "file": upload("nom;type\nx;y")})
    assert bad.status_code == 400 and "Colonne(s) manquante(s)" in bad.content.decode()
    path = tmp_path / "autre.csv"
    path.write_text("\n".join([HEADER, ROWS[0].replace("RPE-1", "X-1")]), encoding="utf-8")
    out = io.StringIO()
    call_command("import_registry", str(path), "--source", "Réseau X", stdout=out)
    assert "1 fiche créée" in out.getvalue() and Entry.objects.filter(external_id="X-1").exists()


def test_import_forbidden_to_plain_members(client, member):
    client.force_login(member)
    assert client.get(reverse("registry:import")).status_code == 403


def test_exports_publish_only_verified_entries_and_consented_contacts(client):
    verified_entry(name="Crèche publiée")
    EntryFactory(name="Autre", state=State.SUBMITTED)
    body = b"".join(client.get(reverse("registry:export", args=["csv"])).streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert [r["nom"] for r in rows] == ["Crèche publiée"]
    assert rows[0]["courriel"] == "public@example.fr" and rows[0]["telephone"] == ""
    geo = json.loads(b"".join(client.get(reverse("registry:export", args=["geojson"])).streaming_content))
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 1
    assert "0299000000" not in json.dumps(geo)


def test_data_inclusion_exports_validate_against_the_schema(client):
    from data_inclusion.schema.v1 import Service, Structure

    pmi = verified_entry(name="Centre de PMI de Villejean", setup__priorities=(2, 5))
    pmi.category_id = pmi.category.__class__.objects.get(slug="centre-pmi").pk
    pmi.save()
    msa = verified_entry(name="Maison de santé rurale")
    msa.situations.update(trusting_body_name="MSA d'Armorique", reference_type="finess", reference_value=FINESS_CHU_RENNES)
    structures = json.loads(
        b"".join(client.get(reverse("registry:export", args=["data-inclusion-structures"])).streaming_content)
    )
    services = json.loads(b"".join(client.get(reverse("registry:export", args=["data-inclusion-services"])).streaming_content))
    assert len(structures) == 2 and len(services) == 3
    for item in structures:
        Structure.model_validate(item, context={"ignore_warnings": False})
    for item in services:
        Service.model_validate(item, context={"ignore_warnings": False})
    by_name = {s["nom"]: s for s in structures}
    assert by_name["Centre de PMI de Villejean"]["extension_1000_premiers_jours"]["reseaux_porteurs"] == ["pmi"]
    assert "departements" in by_name["Centre de PMI de Villejean"]["reseaux_porteurs"]
    assert by_name["Maison de santé rurale"]["reseaux_porteurs"] == ["mutualite-sociale-agricole"]


def _imported(source):
    return sorted(
        (
            e.external_id,
            e.name,
            e.state,
            e.commune_id,
            e.priority_mask,
            [(p.priority.number, p.description) for p in e.priorities.all()],
            [(s.situation.number, s.reference_type, s.reference_value) for s in e.situations.all()],
            [(c.kind, c.value, c.is_public) for c in e.contacts.all()],
        )
        for e in Entry.objects.filter(import_source=source)
    )


@pytest.mark.parametrize("source_known_before", [False, True], ids=["new source", "source imported before"])
def test_identifier_repeated_in_a_later_chunk_is_skipped(moderator_69, source_known_before):
    if source_known_before:  # the identifiers are then looked up in the database, chunk by chunk
        earlier = importer.create_job("CAF", upload("\n".join([HEADER, ROWS[1]])), moderator_69)
        importer.work(earlier.pk)
    rows = [ROWS[0].replace("RPE-1", f"RPE-1-{i}") for i in range(3)] + [ROWS[0].replace("RPE-1", "RPE-1-0"), ROWS[1]]
    job = importer.create_job("CAF", upload("\n".join([HEADER, *rows])), moderator_69, chunk_size=2)
    importer.work(job.pk)  # "RPE-1-0" comes back in the second chunk, RPE-2 in the third
    job.refresh_from_db()
    assert (job.created_count, job.updated_count) == (4 - source_known_before, 1 + source_known_before)
    assert Entry.objects.filter(import_source="CAF", external_id="RPE-1-0").count() == 1
    assert Entry.objects.filter(import_source="CAF").count() == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the visibility map is PostgreSQL's")
def test_command_line_import_leaves_the_entries_readable_from_their_indexes_alone(moderator_69, tmp_path):
    """Index-only scans (map, "near a commune") skip the table only on pages the visibility
    map marks all-visible, which inserted rows clear: the import sets them back."""
    verified_entry()
    path = tmp_path / "rpe.csv"
    path.write_text("\n".join([HEADER, *ROWS]), encoding="utf-8")
    job = importer.import_file(str(path), "CAF")
    assert job.created_count == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'registry_entry'")
        pages, all_visible = cursor.fetchone()
    assert pages > 0 and all_visible == pages


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no autovacuum")
def test_autovacuum_restores_the_entries_visibility_after_one_percent_of_new_rows():
    """Imports from the admin page, registrations and decisions leave the VACUUM to
    autovacuum (migration 0011): after 1 % of the table, not PostgreSQL's 20 %."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'registry_entry'")
        options = dict(option.split("=") for option in cursor.fetchone()[0])
    assert options["autovacuum_vacuum_insert_scale_factor"] == "0.01"
    assert options["autovacuum_vacuum_scale_factor"] == "0.01"
    assert options["autovacuum_analyze_scale_factor"] == "0.02"


def test_command_line_import_gives_the_garbage_collector_back_even_when_it_fails(moderator_69, tmp_path, monkeypatch):
    """The import pauses the collector (its chunks hold no cycles); the process must get it
    back afterwards, or a worker that ran an import would grow without bound."""
    path = tmp_path / "rpe.csv"
    path.write_text("\n".join([HEADER, *ROWS]), encoding="utf-8")
    assert importer.import_file(str(path), "CAF").created_count == 2 and gc.isenabled()

    def broken_chunk(*args):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(importer.jobs, "_write_chunk", broken_chunk)
    with pytest.raises(RuntimeError):
        importer.import_file(str(path), "CAF bis")
    assert gc.isenabled()


def test_csv_export_neutralises_formulas_planted_in_an_entry(client):
    entry = verified_entry(name='=HYPERLINK("http://x","y")')
    entry.contacts.create(kind="phone", value="+33 1 23 45 67 89", is_public=True)
    body = b"".join(client.get(reverse("registry:export", args=["csv"])).streaming_content).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert row["nom"] == '\'=HYPERLINK("http://x","y")' and row["telephone"] == "'+33 1 23 45 67 89"
    geo = json.loads(b"".join(client.get(reverse("registry:export", args=["geojson"])).streaming_content))
    assert geo["features"][0]["properties"]["nom"] == '=HYPERLINK("http://x","y")'  # JSON is no spreadsheet
