"""The calls API, applications/: scope in every list, 403 outside, French errors, transitions."""

import uuid

import pytest

from tests.calls.factories import applicant, make_call, manager, submitted_application
from tpj.calls.models import Application

pytestmark = pytest.mark.django_db


def _payload(call, **overrides):
    data = {
        "title": "Café des parents",
        "description": "Rencontres hebdomadaires.",
        "target_public": "Futurs parents",
        "carrier_siret": "73282932000074",
        "start_date": "2030-10-01",
        "end_date": "2031-06-30",
        "call_axes": [call.axes.first().pk],
        "places": ["35238", "29019"],
        "budget_lines": [{"label": "Animation", "amount": "50000"}],
        "cofinancings": [{"source": "caf-fnp", "amount": "10000"}],
        "requests": [{"agency": a, "amount": "20000"} for a in call.agencies],
        "indicators": [{"name": "Parents venus", "baseline": "0", "target": "120", "method": "Feuilles d'émargement"}],
    }
    data.update(overrides)
    return data


def test_applicant_creates_once_submits_and_sees_only_its_own(api_client):
    call = make_call()
    user = applicant()
    api_client.force_authenticate(user)
    token = str(uuid.uuid4())
    first = api_client.post(f"/api/v1/calls/{call.pk}/applications/", _payload(call, client_token=token), format="json")
    replay = api_client.post(f"/api/v1/calls/{call.pk}/applications/", _payload(call, client_token=token), format="json")
    assert first.status_code == 201, first.json()
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    assert Application.objects.count() == 1
    app_id = first.json()["id"]
    submitted = api_client.post(f"/api/v1/applications/{app_id}/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["reference"].startswith("AAP")
    submitted_application(call, title="Projet d'une autre structure")
    listing = api_client.get(f"/api/v1/calls/{call.pk}/applications/").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == app_id


def test_bad_input_through_the_api_is_a_french_400(api_client):
    call = make_call(strand="ars")
    api_client.force_authenticate(applicant())
    url = f"/api/v1/calls/{call.pk}/applications/"
    outside = api_client.post(url, _payload(call, places=["31555"]), format="json")
    assert outside.status_code == 400 and "hors de la région" in outside.json()["places"][0]
    dreets = api_client.post(url, _payload(call, requests=[{"agency": "DREETS", "amount": "1000"}]), format="json")
    assert dreets.status_code == 400 and "porté par l'ARS seule" in dreets.json()["requests"][0]
    cofinancing = api_client.post(url, _payload(call, cofinancings=[{"source": "caf-fnp", "amount": "60000"}]), format="json")
    assert cofinancing.status_code == 400 and "dépasse le budget total" in cofinancing.json()["cofinancings"][0]
    assert not Application.objects.exists()


def test_manager_of_another_region_gets_403_and_no_leak(api_client):
    call = make_call()
    submitted_application(call)
    api_client.force_authenticate(manager("ARS", "76"))
    assert api_client.get(f"/api/v1/calls/{call.pk}/applications/").status_code == 403
    assert api_client.get(f"/api/v1/calls/{call.pk}/ranking/").status_code == 403
    assert api_client.post(f"/api/v1/calls/{call.pk}/transmit/", {}, format="json").status_code == 403
    assert api_client.get("/api/v1/applications/").json()["count"] == 0
    app = Application.objects.get()
    assert api_client.get(f"/api/v1/applications/{app.pk}/").status_code == 403
    api_client.force_authenticate(call.manager)
    assert api_client.get(f"/api/v1/calls/{call.pk}/applications/").json()["count"] == 1
