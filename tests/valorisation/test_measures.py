"""National measures: targets loaded from data, deployments by scope, progress, apportionment pages."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.valorisation.models import Allocation, Apportionment, BirthsTable, Deployment, Measure

from .factories import BIRTHS, DeploymentFactory, births_csv, measure

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def national():
    return user_with_role(Role.NATIONAL_TEAM)


@pytest.fixture
def bretagne_manager():
    return user_with_role(Role.CALL_MANAGER, region="53")


def test_the_seven_measures_of_the_instruction_are_loaded_with_their_targets():
    measures = {m.slug: m for m in Measure.objects.all()}
    assert len(measures) == 7
    assert (measures["staffs-medico-psycho-sociaux"].target_min, measures["staffs-medico-psycho-sociaux"].apportioned) == (
        100,
        True,
    )
    assert (measures["unites-parents-bebe"].target_min, measures["unites-parents-bebe"].target_max) == (5, 10)
    assert (
        measures["equipes-mobiles-psychiatrie-perinatale"].target_min,
        measures["equipes-mobiles-psychiatrie-perinatale"].target_max,
    ) == (15, 20)
    assert measures["handicap-perinatalite"].target_label == "6 ARS volontaires"
    assert measures["reseaux-perinatalite-prematurite"].basis == Measure.Basis.QUALITATIVE


def test_progress_is_computed_from_deployments(client):
    DeploymentFactory.create_batch(3, quantity=2)  # 6 UPB: the minimum target (5) is reached
    DeploymentFactory(measure=measure("handicap-perinatalite"), region_id="53")
    DeploymentFactory(measure=measure("handicap-perinatalite"), region_id="53")  # same ARS counted once
    DeploymentFactory(measure=measure("handicap-perinatalite"), region_id="76")
    stats = {m.slug: m.progress() for m in Measure.objects.with_progress()}
    assert stats["unites-parents-bebe"] == {"value": 6, "target": 5, "percent": 100, "status": "reached"}
    assert stats["handicap-perinatalite"] == {"value": 2, "target": 6, "percent": 33, "status": "ongoing"}
    assert stats["liaison-maternite-pmi"]["target"] == 101
    page = client.get(reverse("valorisation:measures")).content.decode()
    assert "6 / 5 unités" in page and "cible atteinte" in page


def test_measures_csv_is_public(client):
    DeploymentFactory()
    response = client.get(reverse("valorisation:measures-csv"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert "Unités parents-bébé;5 à 10 nouvelles unités" in body


def post_deployment(client, region="53", **overrides):
    data = {
        "region": region,
        "title": "Unité parents-bébé du CHU",
        "date": "2021-10-01",
        "quantity": "1",
        "amount": "120000,50",
        **overrides,
    }
    return client.post(reverse("valorisation:deployment-create", args=["unites-parents-bebe"]), data)


def test_a_call_manager_records_a_deployment_in_its_region(client, bretagne_manager):
    client.force_login(bretagne_manager)
    response = post_deployment(client, departement="35", commune="35238")
    assert response.status_code == 302
    deployment = Deployment.objects.get()
    assert (deployment.region_id, deployment.departement_id, str(deployment.amount)) == ("53", "35", "120000.50")
    assert AuditEvent.objects.filter(action="valorisation.deployment.create").exists()


def test_a_call_manager_cannot_record_in_another_region(client, bretagne_manager):
    client.force_login(bretagne_manager)
    response = post_deployment(client, region="76")
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in page_text(response)
    assert not Deployment.objects.exists()


def test_inconsistent_place_is_refused_in_french(client, national):
    client.force_login(national)
    response = post_deployment(client, departement="31")
    assert response.status_code == 400
    assert "Ce département n'appartient pas à la région choisie." in page_text(response)
    response = post_deployment(client, amount="-3")
    assert response.status_code == 400
    assert not Deployment.objects.exists()


def test_visitors_and_applicants_cannot_record(client):
    assert post_deployment(client).status_code == 302  # to login
    client.force_login(user_with_role(Role.APPLICANT))
    assert post_deployment(client).status_code == 403
    assert not Deployment.objects.exists()


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


def test_measure_page_shows_deployments_and_the_form_only_to_who_may_record(client, bretagne_manager):
    DeploymentFactory(title="UPB de Brest", region_id="53")
    DeploymentFactory(title="UPB de Toulouse", region_id="76")
    url = reverse("valorisation:measure", args=["unites-parents-bebe"])
    page = page_text(client.get(url, {"region": "53"}))
    assert "UPB de Brest" in page and "UPB de Toulouse" not in page
    assert "Enregistrer un déploiement" not in page
    client.force_login(bretagne_manager)
    response = client.get(url)
    assert "Enregistrer un déploiement" in page_text(response)
    assert [r.code for r in response.context["form"].fields["region"].queryset] == ["53"]
