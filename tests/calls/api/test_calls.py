"""The calls API, calls/: drafts listed only within their region, creation and definition, OpenAPI schema."""

import pytest

from tests.calls.factories import CampaignFactory, declared, make_call, manager
from tpj.audit.models import AuditEvent
from tpj.calls.models import Call

pytestmark = pytest.mark.django_db


def test_draft_calls_are_not_listed_outside_their_region(api_client):
    draft = make_call(state="draft")
    assert draft.pk not in [c["id"] for c in api_client.get("/api/v1/calls/").json()["results"]]
    assert api_client.get(f"/api/v1/calls/{draft.pk}/").status_code in (401, 403)
    api_client.force_authenticate(draft.created_by)
    assert draft.pk in [c["id"] for c in api_client.get("/api/v1/calls/").json()["results"]]


def test_calls_endpoints_are_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    for path in [
        "/api/v1/calls/",
        "/api/v1/calls/{id}/applications/",
        "/api/v1/applications/{id}/",
        "/api/v1/applications/{id}/submit/",
        "/api/v1/applications/{id}/scores/",
        "/api/v1/calls/{id}/ranking/",
        "/api/v1/calls/{id}/decisions/",
        "/api/v1/calls/{id}/transmit/",
        "/api/v1/laureates/",
    ]:
        assert path in schema["paths"], path


def test_manager_creates_and_defines_a_call_through_the_api(api_client):
    campaign = CampaignFactory()
    dreets = manager("DREETS", "53")
    api_client.force_authenticate(dreets)
    refused = api_client.post("/api/v1/calls/", {"strand": "ars"}, format="json")
    assert refused.status_code == 400 and "volet" in refused.json()["strand"][0]
    undeclared = api_client.post("/api/v1/calls/", {"strand": "dreets"}, format="json")
    assert undeclared.status_code == 400 and "n'a pas déclaré son intention" in undeclared.json()["campaign"][0]
    declared(dreets, campaign)
    created = api_client.post("/api/v1/calls/", {"strand": "dreets"}, format="json")
    assert created.status_code == 201 and created.json()["title"].endswith("l'accompagnement des parents")
    call_id = created.json()["id"]
    patched = api_client.patch(
        f"/api/v1/calls/{call_id}/",
        {"summary": "Volet social", "targeting_mode": "valued", "targeting_kinds": ["qpv", "zrr"]},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["summary"] == "Volet social"
    assert AuditEvent.objects.for_object(Call.objects.get(pk=call_id)).filter(action="calls.call.defined").exists()
    publish = api_client.post(f"/api/v1/calls/{call_id}/publish/", {}, format="json")
    assert publish.status_code == 400 and "Joignez le cahier des charges (PDF)." in publish.json()["non_field_errors"]
    api_client.force_authenticate(manager("ARS", "53"))
    assert api_client.patch(f"/api/v1/calls/{call_id}/", {"summary": "x"}, format="json").status_code == 403
