"""Births import and the apportionment of posts, through the pages (views/apportionments.py)."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.valorisation.models import Allocation, Apportionment, BirthsTable

from .factories import BIRTHS, births_csv

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def upload(client, content: bytes, total="100", year="2020", name="naissances.csv"):
    return client.post(
        reverse("valorisation:births-import"),
        {
            "year": year,
            "source": "INSEE (illustratif)",
            "total": total,
            "file": SimpleUploadedFile(name, content, "text/csv"),
        },
    )


def test_national_team_imports_births_and_apportions_100_posts(client, national):
    client.force_login(national)
    response = upload(client, births_csv(BIRTHS, encoding="latin-1"))
    apportionment = Apportionment.objects.get()
    assert response.url == reverse("valorisation:apportionment", args=[apportionment.pk])
    assert sum(apportionment.allocations.values_list("seats", flat=True)) == 100
    assert apportionment.allocations.get(region_id="11").seats == 23  # 170000 / 730900 × 100 = 23.26 → 23
    page = client.get(response.url).content.decode()
    assert "Île-de-France" in page and "plus forts restes" in page
    csv_body = b"".join(client.get(reverse("valorisation:apportionment-csv", args=[apportionment.pk])).streaming_content).decode(
        "utf-8-sig"
    )
    assert "11;Île-de-France;170000;23.258996;23;" in csv_body


def test_recompute_for_another_total_keeps_both(client, national):
    client.force_login(national)
    upload(client, births_csv(BIRTHS))
    table = BirthsTable.objects.get()
    client.post(reverse("valorisation:apportion", args=[table.pk]), {"total": "150"})
    client.post(reverse("valorisation:apportion", args=[table.pk]), {"total": "150"})  # same: not duplicated
    assert sorted(Apportionment.objects.values_list("total", flat=True)) == [100, 150]
    assert sum(Allocation.objects.filter(apportionment__total=150).values_list("seats", flat=True)) == 150


@pytest.mark.parametrize(
    "counts, message",
    [
        ({k: v for k, v in BIRTHS.items() if k != "94"}, "Région(s) manquante(s) : Corse."),
        ({**BIRTHS, "94": -5}, "ne peut pas être négatif"),
        ({**BIRTHS, "94": "deux mille"}, "n'est pas un nombre entier"),
    ],
)
def test_bad_births_file_is_refused_and_nothing_saved(client, national, counts, message):
    client.force_login(national)
    response = upload(client, births_csv(counts))
    assert response.status_code == 400
    assert message in page_text(response)
    assert not BirthsTable.objects.exists() and not Apportionment.objects.exists()


def test_duplicated_region_in_file_is_refused(client, national):
    client.force_login(national)
    content = births_csv(BIRTHS) + b"Bretagne;100\n"
    response = upload(client, content)
    assert response.status_code == 400
    assert "la région Bretagne figure déjà ligne" in page_text(response)
    assert not BirthsTable.objects.exists()


@pytest.mark.parametrize("total, message", [("0", "au moins 1"), ("1000000", "ne peut dépasser 10000"), ("dix", "nombre entier")])
def test_absurd_total_is_refused(client, national, total, message):
    client.force_login(national)
    response = upload(client, births_csv(BIRTHS), total=total)
    assert response.status_code == 400
    assert message in page_text(response)
    assert not BirthsTable.objects.exists()


def test_only_national_team_imports_births(client, bretagne_manager):
    client.force_login(bretagne_manager)
    response = upload(client, births_csv(BIRTHS))
    assert response.status_code == 403
    assert "Réservé à l'équipe nationale" in page_text(response)
    assert not BirthsTable.objects.exists()


def test_the_admin_offers_no_empty_apportionment_form(client):
    """An apportionment is computed from a births table; the admin's add form, every field of it
    read-only, used to answer 500 (NOT NULL total) on submission."""
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert client.get("/admin/valorisation/apportionment/").status_code == 200
    assert client.get("/admin/valorisation/apportionment/add/").status_code == 403
    assert client.post("/admin/valorisation/apportionment/add/", {}).status_code == 403
