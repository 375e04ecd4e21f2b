"""Every upload of the platform is checked by its content, its size and an accepted list (issue 13, §8).

The outside campaign stored a Windows executable named `evidence.pdf`, an 11 MB file and an
HTML page as call attachments, and served them as `application/pdf`. The class: any file field
of any form. The upload fields are found, not listed: every page of the site (from Django's
resolver, with the sample objects of the permission matrix) is read as each role, and every
`<input type="file">` of every form is sent back with the page's own values and a bad file;
the form classes of the project holding a FileField must all have been reached that way, and
the API (its OpenAPI schema) must declare no binary field that this test does not send.

For each upload field: a Windows PE executable, an HTML page and a truncated PDF, each named as
an accepted file; a file over the limit (lowered with settings.UPLOAD_MAX_BYTES, and one real
11 MB attachment); a name with path traversal. Refusals are French, store no row and no file;
a valid file is accepted and served with the type its content has, `nosniff`, and as a download
unless it is a PDF or an image.
"""

import html
import importlib
import inspect
import json
import pkgutil
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.db import transaction

import tpj
from tests.responses import close_response
from tpj.core.uploads import PDF

from . import samples
from .matrix import lookup
from .openapi import openapi_schema
from .probe import client_for, connection_kept
from .roles import ADMINISTRATOR, APPLICANT, PROFESSIONAL
from .urlmap import site_routes
from .world import World

# The carrier sees the attachment form of its draft, the member the evidence of its entry; the
# administrator every manager's form (call definition, imports, births tables).
ROLES = [APPLICANT, PROFESSIONAL, ADMINISTRATOR]
# Files, not pages: downloads are not read for forms.
NOT_PAGES = ("export", "logo", "evidence", "attachment", "document", "letter", "qr", "verification-png")

VALID_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PE_EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200) + b"This program cannot be run in DOS mode."
)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
TRUNCATED_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n"  # no %%EOF: truncated, or something else with a PDF header
# A valid file per accepted kind (the page's <input accept> says which): the registry import
# and the births table are CSV files.
IMPORT_CSV = (
    b"identifiant;nom;type;categorie;code_postal;commune;priorites;situation;organisme;type_organisme;type_reference;reference\n"
)
REFUSED = ("son contenu a été vérifié", "n'est pas un PDF", "n'est pas un fichier CSV", "n'est ni un PDF", "doit être un PDF")
TOO_LARGE = ("Mo", "volumineux")


# --- Finding the upload fields -------------------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page: action, method and the values a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "data": [], "files": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._form["files"].append((name, a.get("accept") or ""))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["data"].append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "reset"):
                self._form["data"].append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            chosen = self._select["chosen"] or ([] if self._select["multiple"] else [self._select["first"] or ""])
            self._form["data"] += [(self._select["name"], value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["data"].append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def _pages(world):
    """(route name, path) of every page with parameters filled from the samples (inside objects)."""
    for route in site_routes():
        if route.template.startswith(("/admin/", "/api/")) or any(word in route.name for word in NOT_PAGES):
            continue
        kwargs = {}
        if route.params:
            sample = lookup(samples.WEB_SAMPLES, route.name)
            if sample is None:
                continue
            kwargs = sample(world)["inside"]
            if set(route.params) - set(kwargs):
                continue
        yield route.name, route.path(**kwargs)


def upload_forms(cast, world) -> dict:
    """{(form action, file field): (route name, role, page path, accept, form values)} for every
    file input of every page, as the first role that sees it."""
    found = {}
    with connection_kept():
        for role in ROLES:
            client = client_for(cast, role, api=False)
            for name, path in _pages(world):
                try:
                    response = client.get(path)
                except Exception:  # a page that crashes is another test's failure (crash safety)
                    continue
                if response.streaming:  # a download (a file served from the storage): no form, and closed
                    close_response(response)
                    continue
                if response.status_code != 200 or b'type="file"' not in response.content:
                    continue
                parser = _Forms()
                parser.feed(response.content.decode())
                for form in parser.forms:
                    for field, accept in form["files"]:
                        key = (form["action"] or path, field)
                        found.setdefault(key, (name, role, path, accept, form["data"]))
    return found


def project_upload_forms() -> set[str]:
    """Every form class of the project with a file field (its own or its model's)."""
    classes = set()
    for module_info in pkgutil.walk_packages(tpj.__path__, "tpj."):
        if ".migrations" in module_info.name or ".management" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, forms.BaseForm)
                and obj.__module__.startswith("tpj.")
                and any(isinstance(f, forms.FileField) for f in obj.base_fields.values())
            ):
                classes.add(f"{obj.__module__}.{obj.__qualname__}")
    return classes


# --- Sending files -------------------------------------------------------------------------


def _multipart(data, file_field, file_name, content):
    """A multipart body written by hand: the test client would strip the file name's directories."""
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in data:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _stored_rows() -> dict:
    from tpj.calls.models import Attachment, Call
    from tpj.registry.models import EntrySituation, ImportJob
    from tpj.valorisation.models import BirthsTable

    return {
        "attachments": Attachment.objects.count(),
        "cahiers": Call.objects.exclude(cahier_des_charges="").count(),
        "evidence": EntrySituation.objects.exclude(evidence="").count(),
        "import jobs": ImportJob.objects.count(),
        "births tables": BirthsTable.objects.count(),
    }


def _send(client, action, data, field, file_name, content):
    body, content_type = _multipart([(k, v) for k, v in data if k != field], field, file_name, content)
    before_rows, before_files = _stored_rows(), _media_files()
    with transaction.atomic():
        response = client.post(action, body, content_type=content_type, follow=True)
        after_rows = _stored_rows()
        transaction.set_rollback(True)
    new_files = _media_files() - before_files
    return response, after_rows != before_rows, new_files


def _error_text(page: str) -> str:
    """The error messages of a page, for failure messages."""
    return " | ".join(re.findall(r'class="fr-(?:error-text|alert[^"]*)"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)', page))[:500]


def _valid_births_csv() -> bytes:
    from tpj.territories.models import Region

    return ("region;naissances\n" + "".join(f"{code};1000\n" for code in Region.objects.values_list("code", flat=True))).encode()


def _valid_content(route_name, accept) -> tuple[bytes, str]:
    """A valid file for a field, by what its input accepts (a CSV: the registry's import or a
    births table)."""
    if "csv" in accept:
        return (IMPORT_CSV if route_name.startswith("registry:") else _valid_births_csv()), "valide.csv"
    return VALID_PDF, "valide.pdf"


@pytest.fixture
def uploads(cast):
    world = World(cast)
    return cast, world, upload_forms(cast, world)


@pytest.mark.django_db
def test_every_form_with_a_file_field_is_reached_by_a_page(uploads):
    """The generated cases are not vacuous: each form class holding a FileField has its field on
    some page (a new upload form without a reachable page fails here)."""
    _, _, found = uploads
    fields = {field.rsplit("-", 1)[-1] for _, field in found}
    expected = {
        "tpj.calls.forms.applications.AttachmentForm": "file",
        "tpj.calls.forms.calls.CallForm": "cahier_des_charges",
        "tpj.calls.forms.questions.AnswerFileForm": "file",
        "tpj.calls.forms.conventions.SignatureForm": "file",
        "tpj.registry.forms.SituationForm": "evidence",
        "tpj.registry.forms.ImportForm": "file",
        "tpj.valorisation.forms.BirthsImportForm": "file",
    }
    assert project_upload_forms() == set(expected), "a form with a file field is new: add it to this table"
    assert set(expected.values()) <= fields, f"upload fields found on the pages: {sorted(found)}"
    assert len(found) >= len(expected)


# The API operations that take a file, each sent lying, oversized and executable files by
# tests/calls/api/test_issue18_api.py (test_the_api_uploads_refuse_bad_files_in_french_and_store_nothing,
# test_a_bad_report_is_refused_in_french_and_nothing_is_saved).
API_UPLOADS = {
    "POST /api/v1/applications/{id}/answer-files/",
    "POST /api/v1/applications/{id}/convention/signed/",
    "POST /api/v1/applications/{id}/reports/",
}


def test_every_api_upload_is_one_the_tests_send_bad_files_to():
    """An operation whose request body has a `binary` field (a multipart upload), directly or in
    a component it refers to, must be added to API_UPLOADS and to the tests named above."""
    schema = openapi_schema()
    components = schema["components"]["schemas"]
    uploads = set()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            body = json.dumps(operation.get("requestBody", {})) if isinstance(operation, dict) else ""
            refs = re.findall(r"#/components/schemas/(\w+)", body)
            if '"binary"' in body or any('"binary"' in json.dumps(components[ref]) for ref in refs):
                uploads.add(f"{method.upper()} {path}")
    assert uploads == API_UPLOADS


BAD_FILES = {
    "windows executable": (PE_EXECUTABLE, REFUSED),
    "html page": (HTML_PAGE, REFUSED),
    "truncated pdf": (TRUNCATED_PDF, REFUSED),
}


@pytest.mark.django_db
def test_every_upload_field_refuses_bad_files_and_stores_nothing(uploads, settings):
    cast, _, found = uploads
    failures, cases = [], 0
    for (action, field), (route, role, _, accept, data) in sorted(found.items()):
        client = client_for(cast, role, api=False)
        assert accept, f"{route} {field}: the file input says what it accepts (accept attribute)"
        extension = "csv" if "csv" in accept else "pdf"
        for label, (content, markers) in BAD_FILES.items():
            cases += 1
            response, stored, new_files = _send(client, action, data, field, f"preuve.{extension}", content)
            text = html.unescape(response.content.decode())
            if response.status_code >= 500 or stored or new_files or not any(m in text for m in markers):
                failures.append(
                    f"{route} {field} as {role}, {label}: {response.status_code}, stored={stored}, {new_files} "
                    + _error_text(text)
                )
        # Over the limit (lowered for the test): refused before its content is read.
        valid, name = _valid_content(route, accept)
        settings.UPLOAD_MAX_BYTES = 64
        cases += 1
        response, stored, new_files = _send(client, action, data, field, name, valid + b" " * 200)
        del settings.UPLOAD_MAX_BYTES
        text = html.unescape(response.content.decode())
        if response.status_code >= 500 or stored or new_files or not any(m in text for m in TOO_LARGE):
            failures.append(f"{route} {field} as {role}, too large: {response.status_code}, stored={stored}")
    assert cases >= 20
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_every_upload_field_accepts_a_valid_file_whatever_its_name(uploads):
    """A valid file is accepted, even named with path traversal: it lands inside MEDIA_ROOT,
    under a name without directories."""
    cast, _, found = uploads
    media = Path(settings.MEDIA_ROOT).resolve()
    failures = []
    for (action, field), (route, role, _, accept, data) in sorted(found.items()):
        client = client_for(cast, role, api=False)
        content, name = _valid_content(route, accept)
        response, stored, new_files = _send(client, action, data, field, f"../../../../tmp/{name}", content)
        text = html.unescape(response.content.decode())
        # Other fields of the page may be refused (a registration without its required fields):
        # the file is not.
        if response.status_code >= 500 or any(m in text for m in REFUSED + TOO_LARGE[1:]):
            failures.append(f"{route} {field} as {role}: valid file refused ({response.status_code})")
        escaped = [p for p in new_files if media not in p.resolve().parents or ".." in str(p)]
        if escaped:
            failures.append(f"{route} {field}: stored outside MEDIA_ROOT {escaped}")
    assert not failures, "\n".join(failures)


# --- The outside campaign's cases on call attachments ---------------------------------------


def _attach(client, app, name, content):
    from tpj.calls.models import Attachment

    body, content_type = _multipart([("label", "Pièce")], "file", name, content)
    before = Attachment.objects.count()
    response = client.post(
        f"/appels-a-projets/candidatures/{app.pk}/action/attachment/", body, content_type=content_type, follow=True
    )
    return response, Attachment.objects.count() - before


@pytest.mark.django_db
def test_an_eleven_megabyte_attachment_is_refused_in_french(cast):
    world = World(cast)
    client = client_for(cast, APPLICANT, api=False)
    files_before = _media_files()
    big = VALID_PDF[:-6] + b"0" * (11 * 1024 * 1024) + b"\n%%EOF\n"
    response, added = _attach(client, world["application_in"], "evidence.pdf", big)
    assert added == 0 and _media_files() == files_before
    assert "pèse 11.0 Mo : la limite est de 10 Mo" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "served_as", "inline"),
    [(VALID_PDF, PDF, True), (b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png", True)],
    ids=["pdf", "png"],
)
def test_an_attachment_is_served_with_the_type_of_its_content(cast, content, served_as, inline):
    from tpj.calls.models import Attachment

    world = World(cast)
    client = client_for(cast, APPLICANT, api=False)
    response, added = _attach(client, world["application_in"], "scan.pdf", content)  # a PNG named .pdf
    assert added == 1
    attachment = Attachment.objects.latest("pk")
    assert attachment.label == "Pièce" and not attachment.file.name.endswith("scan.pdf")
    served = client.get(f"/appels-a-projets/pieces-jointes/{attachment.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == served_as
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline" if inline else "attachment")
    assert b"".join(served.streaming_content) == content
    close_response(served)


@pytest.mark.django_db
def test_a_stored_file_that_is_not_a_pdf_or_an_image_is_a_download_of_no_known_type(cast):
    """A file stored before the checks (an HTML page): never served inline, never as a PDF."""
    from django.core.files.base import ContentFile

    world = World(cast)
    attachment = world["attachment_in"]
    attachment.file.save("ancienne.pdf", ContentFile(HTML_PAGE))
    served = client_for(cast, APPLICANT, api=False).get(f"/appels-a-projets/pieces-jointes/{attachment.pk}/")
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    close_response(served)


def test_the_client_used_here_keeps_the_file_name_it_is_given():
    """The traversal case is real: the hand-written body keeps the directories."""
    body, _ = _multipart([], "file", "../../x.pdf", b"%PDF")
    assert b'filename="../../x.pdf"' in body  # the test client would have sent only "x.pdf"
