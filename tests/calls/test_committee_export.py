"""The selection committee's files, prepared by the workers: every application of a call with
its answers, eligibility checks, each juror's scores (« Juré 1 »… in the jury's version, named
in the managers'), mean, spread and decision, as XLSX and CSV; and the ZIP of chosen
applications' attachments with safe names."""

import csv
import html
import io
import statistics
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import OrganisationFactory, UserFactory
from tests.responses import close_response
from tpj.calls.letters import simple_pdf
from tpj.calls.models import ApplicationAnswer, CallQuestion
from tpj.calls.services.applications import add_attachment
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import add_jury_member, assign, declare_conflict, save_scores
from tpj.downloads.models import ExportJob

from .factories import close, jury_user, make_call, manager, submitted_application

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    close_response(response)
    return content


def _prepare(client, capture, kind, query):
    with capture(execute=True):
        return client.post(f"{reverse('downloads:prepare')}?{query}", {"kind": kind}, follow=True)


def _file(client, user) -> bytes:
    job = ExportJob.objects.filter(requested_by=user).latest("pk")
    assert job.status == ExportJob.Status.READY, job.error
    return _body(client.get(reverse("downloads:file", args=[job.pk])))


@pytest.fixture
def scored():
    """A closed call: two eligible applications, one with a formula as title and an answer to
    the call's own question; three jurors, one recused from the first application."""
    call = make_call()
    question = CallQuestion.objects.create(call=call, label="Nombre de familles visées", kind=CallQuestion.Kind.NUMBER)
    reseau = OrganisationFactory(name="Réseau périnatal")
    first = submitted_application(
        call, title='=HYPERLINK("http://x","clic")', partners=[{"name": "Réseau périnatal", "role": "Formation"}]
    )
    second = submitted_application(call, title="Deuxième projet")
    ApplicationAnswer.objects.create(application=first, question=question, number=Decimal("120"))
    close(call)
    for app in (first, second):
        declare_eligible(app, call.manager)
    jurors = [jury_user(), jury_user(), jury_user(organisation=reseau)]
    for user, kind in zip(jurors, ["funder", "funder", "operator"], strict=True):
        user.first_name, user.last_name = "Camille", f"Jurée{kind}{user.pk}"
        user.save()
        add_jury_member(call, call.manager, user, kind)
    assign(call, call.manager)
    criteria = list(call.criteria.order_by("position", "pk"))
    for user, value in zip(jurors, [2, 4, 1], strict=True):
        for sheet in user.jury_seats.get().sheets.filter(auto_recused=False):
            declare_conflict(sheet, user, has_conflict=False)
            save_scores(sheet, user, {c.pk: (value, False) for c in criteria}, submit=True)
    return call, first, second, jurors, criteria


def _xlsx_rows(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_jury_version_numbers_the_jurors_and_holds_scores_mean_spread_answers_and_checks(
    client, django_capture_on_commit_callbacks, scored
):
    call, first, second, jurors, criteria = scored
    client.force_login(call.manager)
    page = _prepare(client, django_capture_on_commit_callbacks, "calls.committee.xlsx", f"appel={call.pk}&version=jury")
    assert "Le fichier est en préparation" in page.content.decode()
    header, *rows = _xlsx_rows(_file(client, call.manager))
    assert f"Juré 1 — {criteria[0].label}" in header and "Juré 3 — note pondérée /20" in header
    assert not any("Camille" in str(cell) for cell in header + [c for row in rows for c in row])
    assert "Question : Nombre de familles visées" in header and "écart type" in header
    assert any(h.startswith("Recevabilité : Porteur doté d'un SIRET valide") for h in header)
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    row = by_reference[first.reference]
    assert row["projet"] == '\'=HYPERLINK("http://x","clic")'  # text, never a live formula
    assert row["Question : Nombre de familles visées"] == 120
    assert row["Juré 3 — note pondérée /20"] == "récusé(e)"  # the operator partners the project
    assert row[f"Juré 1 — {criteria[0].label}"] == 2 and row[f"Juré 2 — {criteria[0].label}"] == 4
    weighted = [row["Juré 1 — note pondérée /20"], row["Juré 2 — note pondérée /20"]]
    assert row["notes validées"] == 2
    assert row["moyenne /20"] == pytest.approx(statistics.fmean(weighted))
    assert row["écart type"] == pytest.approx(statistics.pstdev(weighted), abs=0.01)
    assert row["moyenne des financeurs /20"] == pytest.approx(statistics.fmean(weighted))
    assert row["moyenne des opérateurs /20"] is None
    assert row["état"] == "Recevable — soumise au jury" and row["décision"] in ("", None)
    assert by_reference[second.reference]["notes validées"] == 3
    job = ExportJob.objects.get(requested_by=call.manager)
    assert job.rows_written == 2 and job.title.endswith("version pour le jury")


def test_the_managers_version_names_the_jurors_in_csv(client, django_capture_on_commit_callbacks, scored):
    call, first, second, jurors, criteria = scored
    client.force_login(call.manager)
    _prepare(client, django_capture_on_commit_callbacks, "calls.committee.csv", f"appel={call.pk}&version=gestion")
    text = _file(client, call.manager).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert any(h.startswith(f"{jurors[0].get_full_name()} (") and "financeur" in h for h in header)
    assert "Juré 1" not in text and len(rows) == 2


def test_only_the_calls_managers_prepare_the_committee_export(client, django_capture_on_commit_callbacks, scored):
    call, first, second, jurors, criteria = scored
    for user in (jurors[0], manager("ARS", "84"), UserFactory()):
        client.force_login(user)
        response = client.post(f"{reverse('downloads:prepare')}?appel={call.pk}&version=jury", {"kind": "calls.committee.xlsx"})
        assert response.status_code in (403, 302)
    assert not ExportJob.objects.exists()
    client.force_login(call.manager)
    page = _prepare(client, django_capture_on_commit_callbacks, "calls.committee.xlsx", f"appel={call.pk}&version=autre")
    assert "Choisissez la version de l'export" in html.unescape(page.content.decode())


def test_the_committee_page_offers_both_versions_and_formats(client, scored):
    call, *_ = scored
    client.force_login(call.manager)
    page = html.unescape(client.get(reverse("calls:committee", args=[call.pk])).content.decode())
    assert "Préparer l'export pour le jury (XLSX)" in page and "Préparer l'export des gestionnaires (CSV)" in page
    client.force_login(jury_user())
    assert client.get(reverse("calls:committee", args=[call.pk])).status_code == 403


def test_a_zip_of_the_chosen_applications_attachments_with_safe_names(client, django_capture_on_commit_callbacks):
    call = make_call()
    app = submitted_application(call)
    other = submitted_application(call, title="Autre")
    pdf = simple_pdf("Budget", ["Budget prévisionnel"])
    for application, label in ((app, "../../etc/budget\x1b.pdf"), (app, "../../etc/budget\x1b.pdf"), (other, "Statuts")):
        application.state = "info_requested"
        application.save()
        add_attachment(application, application.created_by, label, SimpleUploadedFile("x.pdf", pdf))
    client.force_login(call.manager)

    page = client.get(reverse("calls:committee", args=[call.pk]) + f"?candidature={app.pk}")
    assert "Préparer le ZIP des pièces jointes (1 candidature)" in page.content.decode()
    _prepare(client, django_capture_on_commit_callbacks, "calls.attachments", f"appel={call.pk}&candidature={app.pk}")
    archive = zipfile.ZipFile(io.BytesIO(_file(client, call.manager)))
    assert archive.namelist() == [f"{app.reference}/01 budget.pdf", f"{app.reference}/02 budget.pdf"]
    assert archive.read(archive.namelist()[0]) == pdf
    assert ExportJob.objects.get().rows_written == 2


def test_the_zip_refuses_what_the_manager_does_not_instruct(client, django_capture_on_commit_callbacks):
    call = make_call()
    elsewhere = submitted_application(make_call(region="84"))
    client.force_login(call.manager)
    page = _prepare(client, django_capture_on_commit_callbacks, "calls.attachments", f"appel={call.pk}")
    assert "Choisissez au moins une candidature." in page.content.decode()
    response = client.post(
        f"{reverse('downloads:prepare')}?appel={call.pk}&candidature={elsewhere.pk}", {"kind": "calls.attachments"}
    )
    assert response.status_code == 403 and "introuvable" in response.content.decode()
    assert not ExportJob.objects.exists()
