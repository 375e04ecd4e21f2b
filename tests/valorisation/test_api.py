"""API of Module 3: dashboard scoping, measures and deployments, apportionments (POST births + total), public laureates."""

import pytest

from tests.calls.factories import manager
from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.valorisation.models import Apportionment, BirthsTable, Deployment

from .factories import BIRTHS, PUBLIC_LAUREATE_FILTER_CASES, DeploymentFactory, laureate, measure, three_public_laureates

pytestmark = pytest.mark.django_db


def births_lines(counts=BIRTHS):
    return [{"region": code, "births": n} for code, n in counts.items()]


def test_dashboard_api_is_scoped_like_the_page(api_client):
    laureate("53")
    laureate("76", places=("31555",))
    api_client.force_authenticate(user_with_role(Role.NATIONAL_TEAM))
    data = api_client.get("/api/v1/dashboard/").json()
    assert data["campaign"] == 2021 and len(data["regions"]) == 18 and len(data["departements"]) == 101
    bretagne = next(r for r in data["regions"] if r["code"] == "53")
    assert (bretagne["laureates"], bretagne["laureates_by_axis"]) == (1, {"3": 1})
    api_client.force_authenticate(manager("ARS", "53"))
    data = api_client.get("/api/v1/dashboard/").json()
    assert [r["code"] for r in data["regions"]] == ["53"]
    response = api_client.get("/api/v1/dashboard/", {"region": "76"})
    assert response.status_code == 403
    assert "pas dans votre périmètre" in response.json()["detail"]
    api_client.force_authenticate(user_with_role(Role.APPLICANT))
    assert api_client.get("/api/v1/dashboard/").status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/dashboard/").status_code in (401, 403)


def test_dashboard_api_gives_the_date_of_the_registry_figures(api_client):
    from django.utils.dateparse import parse_datetime

    from tpj.valorisation.models import CoverageFigure

    api_client.force_authenticate(user_with_role(Role.NATIONAL_TEAM))
    data = api_client.get("/api/v1/dashboard/").json()  # the first display computes the snapshot
    computed_at = CoverageFigure.objects.values_list("computed_at", flat=True).first()
    assert computed_at is not None and parse_datetime(data["coverage_at"]) == computed_at


def test_measures_are_public_with_progress(api_client):
    DeploymentFactory(quantity=3)
    data = api_client.get("/api/v1/measures/").json()
    assert data["count"] == 7
    upb = next(m for m in data["results"] if m["slug"] == "unites-parents-bebe")
    assert upb["progress"] == {"value": 3, "target": 5, "percent": 60, "status": "ongoing"}
    deployments = api_client.get(f"/api/v1/measures/{upb['id']}/deployments/").json()
    assert deployments["count"] == 1 and deployments["results"][0]["region"] == "53"
    assert api_client.get("/api/v1/measures/99999/deployments/").status_code == 404


def test_deployment_creation_respects_the_region_scope(api_client):
    upb = measure("unites-parents-bebe")
    url = f"/api/v1/measures/{upb.pk}/deployments/"
    payload = {
        "region": "76",
        "departement": "31",
        "commune": "31555",
        "title": "UPB de Toulouse",
        "date": "2021-11-02",
        "quantity": 1,
        "amount": "250000.00",
    }
    api_client.force_authenticate(manager("ARS", "53"))
    response = api_client.post(url, payload, format="json")
    assert response.status_code == 403 and "votre région" in response.json()["detail"]
    api_client.force_authenticate(manager("ARS", "76"))
    response = api_client.post(url, {**payload, "departement": "35"}, format="json")
    assert response.status_code == 400 and response.json()["departement"] == [
        "Ce département n'appartient pas à la région choisie."
    ]
    assert not Deployment.objects.exists()
    response = api_client.post(url, payload, format="json")
    assert response.status_code == 201 and response.json()["commune"] == "31555"
    api_client.force_authenticate(None)
    assert api_client.post(url, payload, format="json").status_code in (401, 403)


def test_post_births_and_total_returns_the_allocation(api_client):
    api_client.force_authenticate(user_with_role(Role.NATIONAL_TEAM))
    response = api_client.post(
        "/api/v1/apportionments/", {"year": 2020, "source": "illustratif", "total": 100, "births": births_lines()}, format="json"
    )
    assert response.status_code == 201
    data = response.json()
    assert sum(a["seats"] for a in data["allocations"]) == 100 and len(data["allocations"]) == 18
    assert api_client.get(f"/api/v1/apportionments/{data['id']}/").json()["total"] == 100


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"total": 0}, "total", "Le nombre de postes doit être au moins 1."),
        ({"total": 1_000_000}, "total", "Le nombre de postes ne peut dépasser 10000."),
        ({"births": births_lines({k: v for k, v in BIRTHS.items() if k != "06"})}, "births", "Région(s) manquante(s) : Mayotte."),
        ({"births": [*births_lines(), {"region": "53", "births": 1}]}, "births", "La région Bretagne figure deux fois."),
        ({"births": [*births_lines(), {"region": "99", "births": 1}]}, "births", "Région inconnue : « 99 »."),
    ],
)
def test_bad_apportionment_requests_are_refused_in_french(api_client, change, field, message):
    api_client.force_authenticate(user_with_role(Role.NATIONAL_TEAM))
    body = {"year": 2020, "source": "test", "total": 100, "births": births_lines(), **change}
    response = api_client.post("/api/v1/apportionments/", body, format="json")
    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert not BirthsTable.objects.exists() and not Apportionment.objects.exists()


def test_negative_or_non_numeric_births_are_refused(api_client):
    api_client.force_authenticate(user_with_role(Role.NATIONAL_TEAM))
    lines = births_lines()
    lines[0]["births"] = -4
    lines[1]["births"] = "beaucoup"
    response = api_client.post(
        "/api/v1/apportionments/", {"year": 2020, "source": "t", "total": 100, "births": lines}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["births"]
    assert errors["0"]["births"] == ["Le nombre de naissances ne peut pas être négatif."]
    assert errors["1"]["births"] == ["Le nombre de naissances doit être un entier."]


def test_only_the_national_team_apportions(api_client):
    api_client.force_authenticate(manager("ARS", "53"))
    response = api_client.post(
        "/api/v1/apportionments/", {"year": 2020, "source": "t", "total": 100, "births": births_lines()}, format="json"
    )
    assert response.status_code == 403 and "équipe nationale" in response.json()["detail"]


def test_schema_documents_the_endpoints(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    for path in [
        "/api/v1/dashboard/",
        "/api/v1/measures/",
        "/api/v1/measures/{measure_pk}/deployments/",
        "/api/v1/apportionments/",
    ]:
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/apportionments/"]


# --- laureates/ (the projetothèque's public laureate projects) ---------------------------------


def test_public_laureates_take_the_projetotheque_filters(api_client):
    three_public_laureates()
    laureate("53", title="Projet breton non transmis", transmitted=False, places=("35238",), year=2023)
    cases = [
        ({}, {"Éveil musical à Brest", "Pères en balade", "Répit parental toulousain"}),
        *PUBLIC_LAUREATE_FILTER_CASES,
        ({"q": "breton"}, set()),  # not transmitted: never public, whatever the filter
        ({"region": "53", "axis": "4", "q": "brest"}, {"Éveil musical à Brest"}),
    ]
    for params, expected in cases:
        response = api_client.get("/api/v1/laureates/", params)
        assert response.status_code == 200, (params, response.json())
        body = response.json()
        assert {r["title"] for r in body["results"]} == expected, params
        assert body["count"] == len(expected), params
    # Paginated with the text filter too.
    page = api_client.get("/api/v1/laureates/", {"q": "a", "page_size": 1}).json()
    assert page["count"] == 3 and len(page["results"]) == 1 and page["next"]


def test_public_laureates_refuse_malformed_filters_in_french(api_client):
    response = api_client.get("/api/v1/laureates/", {"year": "deux-mille", "axis": "x", "carrier_kind": "martien"})
    assert response.status_code == 400
    assert response.json() == {
        "year": ["L'année doit être un nombre entier."],
        "axis": ["L'axe doit être un nombre entier."],
        "carrier_kind": ["Type de porteur inconnu."],
    }


def test_laureate_detail_ignores_list_filters(api_client):
    project = laureate("53", title="Café des parents")
    assert api_client.get(f"/api/v1/laureates/{project.pk}/", {"region": "76", "year": "x"}).json()["title"] == "Café des parents"
