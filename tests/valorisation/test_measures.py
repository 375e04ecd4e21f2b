"""National measures: targets loaded from data, deployments by scope, progress (views/measures.py)."""

import html

import pytest
from django.urls import reverse

from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.valorisation.models import Deployment, Measure

from .factories import DeploymentFactory, measure

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return html.unescape(response.content.decode())


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
