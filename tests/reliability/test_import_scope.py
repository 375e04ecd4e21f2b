"""Territorial scope of registry imports (issue 13 §5), as a class.

An import job is seen and advanced only by its author and the administrators; a moderator's
import creates entries only in its moderation territory and refuses every other row, with
the French reason, in its per-row report; an administrator's import is not limited.

Every URL of the import feature is found in the URL configuration (the routes served by
`tpj.registry.views.imports` and the admin of `ImportJob`), so a new import route is probed
without anyone adding it here.
"""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django.utils import timezone

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.registry import bulk, importer
from tpj.registry.models import Entry, ImportJob
from tpj.territories.models import Commune

from .roles import ADMINISTRATOR, IN_COMMUNE, MODERATOR, NATIONAL_TEAM, OUT_COMMUNE
from .urlmap import site_routes

pytestmark = pytest.mark.django_db

IMPORT_VIEWS = "tpj.registry.views.imports"
HEADER = (
    "identifiant;nom;type;categorie;adresse;code_postal;commune;priorites;description;situation;organisme;"
    "type_organisme;type_reference;reference;email;telephone;contacts_publics"
)
LYON, BREST = "69123", "29019"
REFUSED = "commune hors de votre territoire de modération"
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


# --- The import feature's routes, from the URL configuration


def _resolved(route):
    placeholder = {"int": "1", "uuid": str(uuid.UUID(int=1))}
    return resolve(_PARAM.sub(lambda m: placeholder.get(m.group("converter"), "x"), route.template))


def _is_import_route(route) -> bool:
    try:
        match = _resolved(route)
    except Resolver404:  # a regex route of the API router: no import there
        return False
    view = getattr(match.func, "view_class", match.func)
    model_admin = getattr(match.func, "model_admin", None)
    return view.__module__ == IMPORT_VIEWS or getattr(model_admin, "model", None) is ImportJob


def import_routes():
    return [route for route in site_routes() if _is_import_route(route)]


ROUTES = import_routes()


def test_the_import_routes_are_found_in_the_url_configuration():
    names = {route.name for route in ROUTES}
    assert {"registry:import", "registry:import-job", "admin:registry_importjob_changelist"} <= names
    assert {"registry:entry", "admin:registry_entry_changelist"}.isdisjoint(names)


# --- Files and jobs


def row(identifier, insee, name="Relais Petite Enfance"):
    postal_code = Commune.objects.get(insee_code=insee).postal_codes.split()[0]
    return (
        f"{identifier};{name};etablissement;rpe;;{postal_code};{insee};8;Ateliers d'éveil;2;CAF;"
        "securite_sociale;convention;CONV-2024-17;;;non"
    )


def csv_file(*rows, name="reseau.csv"):
    return SimpleUploadedFile(name, "\n".join([HEADER, *rows]).encode(), content_type="text/csv")


@pytest.fixture
def rhone_moderator(db):
    return user_with_role(Role.MODERATOR, departements=["69"], email="moderateur-rhone@fiabilite.example")


@pytest.fixture
def canary():
    return f"CANARI{uuid.uuid4().hex[:10].upper()}"


@pytest.fixture
def bretagne_jobs(cast, canary):
    """Two jobs of the Ille-et-Vilaine moderator: one done, whose report names a refused row;
    one pending, whose next chunk would create an entry in Rennes."""
    author = cast.user(MODERATOR)
    done = importer.create_job(f"Réseau {canary}", csv_file(row("BZH-1", IN_COMMUNE), f"BZH-{canary};;;;;;;;;;;;"), author)
    importer.work(done.pk)
    pending = importer.create_job(f"Réseau {canary} bis", csv_file(row("BZH-2", IN_COMMUNE, name=f"Relais {canary}")), author)
    done.refresh_from_db()
    assert done.created_count == 1 and done.error_count == 1 and canary in str(done.errors)
    return done, pending


def client_of(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _requests(route, job):
    """Every way of calling the route on `job`: plain GET, the htmx poll of the progress bar, POST."""
    path = route.path(**dict.fromkeys(route.params, job.pk))
    yield "GET", path, {}
    yield "GET (htmx)", path, {"HTTP_HX_REQUEST": "true"}
    yield "POST", path, {}


def _snapshot(*jobs):
    return [
        ImportJob.objects.filter(pk=job.pk).values_list("status", "next_row", "created_count", "error_count").get()
        for job in jobs
    ] + [Entry.objects.count(), ImportJob.objects.count()]


# --- Another moderator's job: hidden, never advanced


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
@pytest.mark.parametrize("intruder", ["Rhône moderator", "Ille-et-Vilaine colleague", "national team"])
def test_another_users_import_job_is_neither_shown_nor_advanced(route, intruder, cast, bretagne_jobs, canary, rhone_moderator):
    users = {
        "Rhône moderator": rhone_moderator,
        "Ille-et-Vilaine colleague": user_with_role(Role.MODERATOR, departements=["35"], email="collegue@fiabilite.example"),
        "national team": cast.user(NATIONAL_TEAM),
    }
    client = client_of(users[intruder])
    before = _snapshot(*bretagne_jobs)
    leaks, wrong = [], []
    for job in bretagne_jobs:
        for method, path, headers in _requests(route, job):
            response = getattr(client, method.split()[0].lower())(path, **headers)
            if canary in response.content.decode("utf-8", "replace"):
                leaks.append(f"{method} {path}: {response.status_code}")
            if route.params and not (route.template.startswith("/admin/") and response.status_code == 302):
                # the job's own pages: 404 (403 before any lookup for who may not import at all; 405 for POST)
                allowed = {404, 405} if intruder != "national team" else {403}
                if response.status_code not in allowed:
                    wrong.append(f"{method} {path}: {response.status_code}")
    assert not leaks, f"another user's import job shows through: {leaks}"
    assert not wrong, f"another user's import job is not hidden: {wrong}"
    assert _snapshot(*bretagne_jobs) == before, "another user's import job was advanced"


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.template.startswith("/admin/")], ids=lambda r: r.name)
def test_the_author_and_the_administrators_see_the_job(route, cast, bretagne_jobs, canary):
    """The probes above are not vacuous: the same requests show the job to those who may see it."""
    done, _ = bretagne_jobs
    for role in (MODERATOR, ADMINISTRATOR):
        path = route.path(**dict.fromkeys(route.params, done.pk))
        response = client_of(cast.user(role)).get(path)
        assert response.status_code == 200 and canary in response.content.decode()


# --- The three findings


def test_finding_1_another_moderators_report_is_not_found(bretagne_jobs, rhone_moderator, canary):
    done, _ = bretagne_jobs
    response = client_of(rhone_moderator).get(f"/annuaire/import/{done.pk}/")
    assert response.status_code == 404 and canary not in response.content.decode()
    assert canary not in client_of(rhone_moderator).get("/annuaire/import/").content.decode()


def test_finding_2_another_moderators_pending_job_is_not_advanced(bretagne_jobs, rhone_moderator):
    _, pending = bretagne_jobs
    before = Entry.objects.filter(departement_id="35").count()
    response = client_of(rhone_moderator).get(f"/annuaire/import/{pending.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    pending.refresh_from_db()
    assert (pending.status, pending.next_row) == (ImportJob.Status.PENDING, 0)
    assert Entry.objects.filter(departement_id="35").count() == before


def test_finding_3_a_moderators_upload_creates_nothing_outside_its_territory(rhone_moderator):
    client = client_of(rhone_moderator)
    response = client.post("/annuaire/import/", {"source": "CAF", "file": csv_file(row("RNS-1", IN_COMMUNE))})
    assert response.status_code == 302
    report = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert f"{REFUSED} (Rennes, Ille-et-Vilaine)" in report and "1 ligne en erreur" in report
    job = ImportJob.objects.get(created_by=rhone_moderator)
    assert (job.status, job.created_count, job.error_count) == (ImportJob.Status.DONE, 0, 1)
    assert not Entry.objects.filter(commune_id=IN_COMMUNE).exists()


# --- Mixed files


@pytest.mark.parametrize(
    "scope, inside, outside",
    [
        ({"departements": ["35"]}, [IN_COMMUNE], {BREST: "Brest, Finistère", LYON: "Lyon, Rhône"}),
        ({"region": "53"}, [IN_COMMUNE, BREST], {LYON: "Lyon, Rhône", OUT_COMMUNE: "Toulouse, Haute-Garonne"}),
    ],
    ids=["départements", "région"],
)
def test_a_moderators_import_keeps_its_rows_and_refuses_the_others_with_the_reason(client, scope, inside, outside):
    author = user_with_role(Role.MODERATOR, email="auteur@fiabilite.example", **scope)
    rows = [row(f"IN-{code}", code) for code in inside] + [row(f"OUT-{code}", code) for code in outside]
    rows.append(f"IN-BAD;;etablissement;rpe;;00000;{IN_COMMUNE};8;;2;CAF;securite_sociale;convention;CONV-1;;;")
    client.force_login(author)
    location = client.post("/annuaire/import/", {"source": "CAF", "file": csv_file(*rows)})["Location"]
    report = client.get(location, HTTP_HX_REQUEST="true").content.decode()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.created_count == len(inside)
    assert sorted(Entry.objects.values_list("commune_id", flat=True)) == sorted(inside)
    refused = {error["identifiant"]: error["erreurs"] for error in job.errors}
    for code, where in outside.items():
        assert refused[f"OUT-{code}"] == [f"{REFUSED} ({where})"]
        assert f"{REFUSED} ({where})" in report
    # A row of the territory keeps its own errors, without a word about the territory.
    assert "le nom est vide" in refused["IN-BAD"] and not any(REFUSED in e for e in refused["IN-BAD"])
    assert job.error_count == len(outside) + 1


def test_a_row_outside_the_territory_is_refused_even_when_its_identifier_is_known(cast):
    """Not counted "already present": the report tells nothing of another territory's entries."""
    admin_job = importer.create_job("CAF", csv_file(row("LYON-1", LYON)), cast.user(ADMINISTRATOR))
    importer.work(admin_job.pk)
    moderator = cast.user(MODERATOR)
    job = importer.create_job("CAF", csv_file(row("LYON-1", LYON), row("RNS-1", IN_COMMUNE)), moderator)
    importer.work(job.pk)
    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.error_count) == (1, 0, 1)
    assert job.errors[0]["erreurs"] == [f"{REFUSED} (Lyon, Rhône)"]


# --- Who is not limited, and whose territory applies


@pytest.mark.parametrize("who", ["administrator", "national moderator", "command line"])
def test_an_administrators_import_is_not_limited(cast, who, tmp_path):
    rows = [row("RNS-1", IN_COMMUNE), row("LYON-1", LYON), row("TLS-1", OUT_COMMUNE)]
    if who == "command line":
        path = tmp_path / "reseau.csv"
        path.write_text("\n".join([HEADER, *rows]), encoding="utf-8")
        job = importer.import_file(str(path), "CAF")
    else:
        author = cast.user(ADMINISTRATOR) if who == "administrator" else user_with_role(Role.MODERATOR)
        job = importer.create_job("CAF", csv_file(*rows), author)
        importer.work(job.pk)
    job.refresh_from_db()
    assert (job.created_count, job.error_count) == (3, 0)
    assert sorted(Entry.objects.values_list("departement_id", flat=True)) == ["31", "35", "69"]


@pytest.mark.parametrize("advanced_by", ["worker", "command line", "recovery after a killed worker"])
def test_the_authors_territory_applies_whoever_advances_the_job(cast, advanced_by, tmp_path):
    author = cast.user(MODERATOR)
    rows = [row("RNS-1", IN_COMMUNE), row("LYON-1", LYON)]
    job = importer.create_job("CAF", csv_file(*rows), author, chunk_size=1)
    if advanced_by == "worker":
        importer.queue_job(job)  # run here: tests run the queue's tasks at once
        response = client_of(cast.user(ADMINISTRATOR)).get(f"/annuaire/import/{job.pk}/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and f"{REFUSED} (Lyon, Rhône)" in response.content.decode()
    elif advanced_by == "command line":  # resumes the unfinished job of the same source
        path = tmp_path / "reseau.csv"
        path.write_text("\n".join([HEADER, *rows]), encoding="utf-8")
        assert importer.import_file(str(path), "CAF").pk == job.pk
    else:
        importer.run(job, importer.claim(job.pk), max_chunks=1)
        importer.recover(now=timezone.now() + 2 * importer.LEASE)
    assert list(Entry.objects.values_list("commune_id", flat=True)) == [IN_COMMUNE]


def test_an_author_who_lost_the_moderator_role_imports_nothing(cast):
    author = user_with_role(Role.MODERATOR, departements=["35"], email="ancien@fiabilite.example")
    job = importer.create_job("CAF", csv_file(row("RNS-1", IN_COMMUNE)), author)
    author.role_assignments.update(is_active=False)
    importer.queue_job(job)  # the worker applies the author's territory of the moment: none
    response = client_of(cast.user(ADMINISTRATOR)).get(f"/annuaire/import/{job.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f"{REFUSED} (Rennes, Ille-et-Vilaine)" in response.content.decode()
    assert not Entry.objects.exists()
    # and the author, no longer a moderator, may not open the import pages at all
    assert client_of(author).get(f"/annuaire/import/{job.pk}/").status_code == 403


# --- Cost: decided once per job


def test_the_territory_is_checked_without_a_query_per_row(cast):
    scope = cast.user(MODERATOR).scope(Role.MODERATOR)
    ref = importer.ReferenceData(scope)
    rows = [dict(zip(HEADER.split(";"), row(f"R-{i}", (IN_COMMUNE, LYON)[i % 2]).split(";"), strict=True)) for i in range(200)]
    with CaptureQueriesContext(connection) as queries:
        prepared = importer.prepare_chunk(list(enumerate(rows)), ref, "CAF", bulk.datetime_value(timezone.now()))
    assert len(queries) == 0
    assert [item.outside for item in prepared] == [False, True] * 100
