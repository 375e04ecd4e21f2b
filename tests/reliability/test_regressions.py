"""Focused regression tests for the defects the reliability suite found in other areas
(each also stays covered by the fuzzing / corpus case that found it)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tpj.valorisation.models import Measure

from .openapi import openapi_schema
from .probe import client_for
from .roles import MODERATOR, NATIONAL_TEAM, VISITOR

pytestmark = pytest.mark.django_db


def test_me_schema_allows_a_user_without_organisation(cast):
    schema = openapi_schema()["components"]["schemas"]["Me"]["properties"]["organisation"]
    assert schema.get("nullable") is True
    assert client_for(cast, NATIONAL_TEAM, api=True).get("/api/v1/me/").json()["organisation"] is None


@pytest.mark.parametrize("path", ["/api/v1/communes/", "/territoires/communes/"])
def test_a_huge_commune_search_is_answered_not_crashed(cast, path):
    response = client_for(cast, VISITOR, api=path.startswith("/api/")).get(path, {"q": "x" * 1_000_000})
    assert response.status_code == 200


def test_deployment_with_an_unknown_commune_is_refused_in_french(cast):
    measure = Measure.objects.get(slug="unites-parents-bebe")
    response = client_for(cast, NATIONAL_TEAM, api=True).post(
        f"/api/v1/measures/{measure.pk}/deployments/",
        {
            "region": "53",
            "commune": "99999",
            "title": "UPB",
            "carrier": "CHU",
            "date": "2021-09-01",
            "quantity": 1,
            "amount": "1.00",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Commune inconnue" in response.json()["commune"][0]


def test_registry_import_of_a_binary_file_is_refused_with_a_message(cast):
    png = SimpleUploadedFile("image.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, content_type="text/csv")
    response = client_for(cast, MODERATOR, api=False).post("/annuaire/import/", {"source": "Réseau", "file": png})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_births_import_of_a_zip_named_csv_is_refused_with_a_message(cast):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bombe.csv", b"0" * 5_000_000)
    upload = SimpleUploadedFile("bombe.csv", buffer.getvalue(), content_type="text/csv")
    response = client_for(cast, NATIONAL_TEAM, api=False).post(
        "/valorisation/mesures/repartitions/importer/", {"year": "2020", "source": "Test", "file": upload}
    )
    assert response.status_code in (200, 400)
    assert response.context["form"].errors


@pytest.mark.parametrize("path", ["/api/v1/communes/", "/territoires/communes/", "/annuaire/"])
def test_a_search_with_a_nul_byte_is_answered_not_crashed(cast, path):
    response = client_for(cast, VISITOR, api=path.startswith("/api/")).get(path, {"q": "Ren\x00nes"})
    assert response.status_code == 200
