"""The committee's files through the API (issue 18): asked for (202, a job the workers build, as
on the web page), followed, then downloaded; the same rules as « Dossier du comité »."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.calls.factories import jury_user, make_call, manager, submitted_application
from tests.calls.test_committee_export import scored  # noqa: F401 — the fixture
from tests.factories import UserFactory
from tests.responses import close_response
from tpj.calls.letters import simple_pdf
from tpj.calls.services.applications import add_attachment
from tpj.downloads.models import ExportJob

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    close_response(response)
    return content


def _ask(api_client, capture, path, data):
    with capture(execute=True):
        return api_client.post(path, data, format="json")


def _followed(api_client, call, asked) -> dict:
    return api_client.get(f"/api/v1/calls/{call.pk}/committee-files/{asked.json()['id']}/").json()


def test_the_manager_asks_for_the_jury_export_follows_it_and_downloads_it(
    api_client,
    django_capture_on_commit_callbacks,
    scored,  # noqa: F811
):
    call, first, second, jurors, criteria = scored
    api_client.force_authenticate(call.manager)
    base = f"/api/v1/calls/{call.pk}/"

    asked = _ask(
        api_client, django_capture_on_commit_callbacks, base + "committee-export/", {"format": "xlsx", "version": "jury"}
    )
    assert asked.status_code == 202, asked.content
    body = asked.json()
    assert body["kind"] == "calls.committee.xlsx" and body["message"].startswith("Le fichier est en préparation")
    job = ExportJob.objects.get(pk=body["id"])
    assert job.requested_by == call.manager and job.parameters == {"call": call.pk, "version": "jury"}

    followed = api_client.get(f"{base}committee-files/{job.pk}/").json()
    assert followed["status"] == "ready" and followed["status_label"] == "Prêt" and followed["progress"] == 100
    assert followed["download_url"] == f"{base}committee-files/{job.pk}/file/"
    listed = api_client.get(base + "committee-files/").json()
    assert [j["id"] for j in listed["results"]] == [job.pk]

    response = api_client.get(followed["download_url"])
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(_body(response))).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert "Juré 1 — note pondérée /20" in header and len(rows) == 2
    assert not any("Camille" in str(cell) for row in [header, *rows] for cell in row)


def test_the_managers_csv_names_the_jurors(api_client, django_capture_on_commit_callbacks, scored):  # noqa: F811
    call, first, second, jurors, criteria = scored
    api_client.force_authenticate(call.manager)
    asked = _ask(
        api_client,
        django_capture_on_commit_callbacks,
        f"/api/v1/calls/{call.pk}/committee-export/",
        {"format": "csv", "version": "gestion"},
    )
    text = _body(
        api_client.get(asked.json()["download_url"] or f"/api/v1/calls/{call.pk}/committee-files/{asked.json()['id']}/file/")
    )
    header = next(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert any(h.startswith(jurors[0].get_full_name()) for h in header)


def test_a_file_is_not_served_before_it_is_ready(api_client, scored):  # noqa: F811
    call, *_ = scored
    api_client.force_authenticate(call.manager)
    asked = api_client.post(f"/api/v1/calls/{call.pk}/committee-export/", {"format": "xlsx", "version": "jury"}, format="json")
    assert asked.status_code == 202 and asked.json()["status"] == "queued" and asked.json()["download_url"] == ""
    response = api_client.get(f"/api/v1/calls/{call.pk}/committee-files/{asked.json()['id']}/file/")
    assert response.status_code == 404 and "pas prêt" in response.json()["detail"]


def test_only_the_calls_managers_ask_and_bad_choices_are_refused_in_french(api_client, scored):  # noqa: F811
    call, first, second, jurors, criteria = scored
    path = f"/api/v1/calls/{call.pk}/committee-export/"
    assert api_client.post(path, {"format": "xlsx", "version": "jury"}, format="json").status_code == 401
    for user in (jurors[0], manager("ARS", "84"), UserFactory()):
        api_client.force_authenticate(user)
        refused = api_client.post(path, {"format": "xlsx", "version": "jury"}, format="json")
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Les exports du comité de sélection sont réservés aux gestionnaires de l'appel."
    api_client.force_authenticate(call.manager)
    bad = api_client.post(path, {"format": "pdf", "version": "autre"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"format", "version"} and "n'est pas une valeur acceptée" in bad.json()["format"][0]
    assert api_client.post("/api/v1/calls/999999/committee-export/", {}, format="json").status_code == 404
    assert not ExportJob.objects.exists()


def test_each_follows_only_the_files_they_asked_for(api_client, django_capture_on_commit_callbacks, scored):  # noqa: F811
    call, *_ = scored
    api_client.force_authenticate(call.manager)
    job_id = _ask(
        api_client,
        django_capture_on_commit_callbacks,
        f"/api/v1/calls/{call.pk}/committee-export/",
        {"format": "csv", "version": "jury"},
    ).json()["id"]
    colleague = manager("ARS", "53")  # manages the same call, did not ask for this file
    api_client.force_authenticate(colleague)
    assert api_client.get(f"/api/v1/calls/{call.pk}/committee-files/{job_id}/").status_code == 404
    assert api_client.get(f"/api/v1/calls/{call.pk}/committee-files/{job_id}/file/").status_code == 404
    assert api_client.get(f"/api/v1/calls/{call.pk}/committee-files/").json()["results"] == []
    other_call = make_call(region="84")
    api_client.force_authenticate(other_call.manager)  # the file's number, on a call of its own
    assert api_client.get(f"/api/v1/calls/{other_call.pk}/committee-files/{job_id}/").status_code == 404
    api_client.force_authenticate(jury_user())
    assert api_client.get(f"/api/v1/calls/{call.pk}/committee-files/{job_id}/").status_code == 403


def test_the_zip_of_chosen_attachments_through_the_api(api_client, django_capture_on_commit_callbacks):
    call = make_call()
    app = submitted_application(call)
    empty = submitted_application(call, title="Sans pièce")
    elsewhere = submitted_application(make_call(region="84"))
    pdf = simple_pdf("Budget", ["Budget prévisionnel"])
    app.state = "info_requested"
    app.save()
    add_attachment(app, app.created_by, "Budget prévisionnel", SimpleUploadedFile("x.pdf", pdf))
    api_client.force_authenticate(call.manager)
    path = f"/api/v1/calls/{call.pk}/committee-attachments/"

    asked = _ask(api_client, django_capture_on_commit_callbacks, path, {"applications": [app.pk]})
    assert asked.status_code == 202, asked.content
    archive = zipfile.ZipFile(io.BytesIO(_body(api_client.get(_followed(api_client, call, asked)["download_url"]))))
    assert archive.namelist() == [f"{app.reference}/01 Budget prévisionnel.pdf"]

    assert api_client.post(path, {"applications": []}, format="json").status_code == 400
    no_file = api_client.post(path, {"applications": [empty.pk]}, format="json")
    assert no_file.status_code == 400 and no_file.json()["applications"] == ["Cette candidature n'a aucune pièce jointe."]
    foreign = api_client.post(path, {"applications": [elsewhere.pk]}, format="json")
    assert foreign.status_code == 403 and "introuvable" in foreign.json()["detail"]
    assert ExportJob.objects.count() == 1
