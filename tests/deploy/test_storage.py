"""Uploads go through Django's storage API only (issue 15 §5): object storage needs no code change.

The storage is swapped for one that is not a filesystem (Django's InMemoryStorage); the call
document written by the manager, an attachment uploaded through the applicant's page, are
then stored there and downloaded back through the site's views, and nothing is written to
MEDIA_ROOT. Which backend FILE_STORAGE=s3 selects is checked in test_settings_profiles.py.
"""

from pathlib import Path

import pytest
from django.core.files.storage import InMemoryStorage, default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.calls.factories import applicant, content, make_call
from tpj.calls.models import Attachment
from tpj.calls.services.applications import create_application

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def object_storage(settings, tmp_path):
    """Uploads in memory; MEDIA_ROOT an empty folder that must stay empty."""
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    assert isinstance(storages["default"], InMemoryStorage)
    return media


def _body(response) -> bytes:
    return b"".join(response.streaming_content)  # the test client closes the file once read


def test_call_documents_and_attachments_go_through_the_configured_storage(client, object_storage):
    call = make_call()  # its cahier des charges is saved by the manager's service
    assert default_storage.exists(call.cahier_des_charges.name)
    document = client.get(reverse("calls:call-document", args=[call.pk]))
    assert document.status_code == 200 and _body(document).startswith(b"%PDF-")

    user = applicant()
    app, _ = create_application(user, call, content(call))
    client.force_login(user)
    client.post(
        reverse("calls:application-action", args=[app.pk, "attachment"]),
        {"label": "Budget détaillé", "file": SimpleUploadedFile("budget.pdf", PDF, content_type="application/pdf")},
    )
    attachment = Attachment.objects.get(application=app)
    assert default_storage.exists(attachment.file.name)
    download = client.get(reverse("calls:attachment", args=[attachment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert _body(download) == PDF

    assert list(Path(object_storage).rglob("*")) == []  # nothing went through the filesystem


def test_a_file_missing_from_the_storage_is_a_404(client, object_storage):
    call = make_call()
    default_storage.delete(call.cahier_des_charges.name)
    assert client.get(reverse("calls:call-document", args=[call.pk])).status_code == 404
