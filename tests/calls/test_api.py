"""The calls API: scope in every list, 403 outside, French errors, transitions, public laureates."""

import uuid
from decimal import Decimal

import pytest

from tests.factories import OrganisationFactory
from tpj.calls.models import Application, JuryMember
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import add_jury_member, assign

from .factories import applicant, close, jury_user, make_call, manager, submitted_application

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


def test_draft_calls_are_not_listed_outside_their_region(api_client):
    draft = make_call(state="draft")
    assert draft.pk not in [c["id"] for c in api_client.get("/api/v1/calls/").json()["results"]]
    assert api_client.get(f"/api/v1/calls/{draft.pk}/").status_code in (401, 403)
    api_client.force_authenticate(draft.created_by)
    assert draft.pk in [c["id"] for c in api_client.get("/api/v1/calls/").json()["results"]]


def _scoring_setup():
    call = make_call()
    reseau = OrganisationFactory(name="Réseau périnatal API")
    partnered = submitted_application(call, partners=[{"name": "Réseau périnatal API", "role": "Co-animation"}])
    close(call)
    declare_eligible(partnered, call.manager)
    funder, operator = jury_user(), jury_user(organisation=reseau)
    add_jury_member(call, call.manager, funder, JuryMember.Kind.FUNDER)
    add_jury_member(call, call.manager, operator, JuryMember.Kind.OPERATOR)
    assign(call, call.manager)
    return call, partnered, funder, operator


def test_recused_member_can_neither_score_nor_see_scores_through_the_api(api_client):
    call, app, funder, operator = _scoring_setup()
    scores = [{"criterion": c.pk, "value": 4} for c in call.criteria.all()]
    api_client.force_authenticate(operator)
    posted = api_client.post(f"/api/v1/applications/{app.pk}/scores/", {"scores": scores, "submit": True}, format="json")
    assert posted.status_code == 403 and "récusé" in posted.json()["detail"]
    assert api_client.get(f"/api/v1/applications/{app.pk}/scores/").status_code == 403
    assert api_client.get(f"/api/v1/applications/{app.pk}/").status_code == 403
    assert api_client.get("/api/v1/applications/").json()["count"] == 0
    assert not app.sheets.filter(member__user=operator, submitted_at__isnull=False).exists()


def test_score_out_of_range_through_the_api(api_client):
    call, app, funder, operator = _scoring_setup()
    api_client.force_authenticate(funder)
    assert (
        api_client.post(
            f"/api/v1/applications/{app.pk}/conflict-declaration/", {"has_conflict": False}, format="json"
        ).status_code
        == 200
    )
    scores = [{"criterion": c.pk, "value": 9} for c in call.criteria.all()]
    response = api_client.post(f"/api/v1/applications/{app.pk}/scores/", {"scores": scores, "submit": True}, format="json")
    assert response.status_code == 400 and "comprise entre 0 et 5" in response.json()["non_field_errors"][0]
    scores = [{"criterion": c.pk, "value": 4} for c in call.criteria.all()]
    scores[-1] = {"criterion": scores[-1]["criterion"], "not_applicable": True}
    ok = api_client.post(f"/api/v1/applications/{app.pk}/scores/", {"scores": scores, "submit": True}, format="json")
    assert ok.status_code == 200 and ok.json()["weighted_score"] == "16.00"
    mine = api_client.get(f"/api/v1/applications/{app.pk}/scores/").json()
    assert mine["count"] == 1
    api_client.force_authenticate(call.manager)
    ranking = api_client.get(f"/api/v1/calls/{call.pk}/ranking/").json()["results"]
    assert ranking[0]["mean_score"] == "16.00" and ranking[0]["recused_count"] == 1 and ranking[0]["rank"] == 1


def test_decisions_transmission_and_public_laureates(api_client):
    call = make_call(strand="ars")
    apps = [submitted_application(call, title=f"Projet {i}", requests={"ARS": Decimal("60000")}) for i in range(2)]
    close(call)
    for a in apps:
        declare_eligible(a, call.manager)
    api_client.force_authenticate(call.manager)
    url = f"/api/v1/calls/{call.pk}/decisions/"
    refused = api_client.post(
        url,
        {
            "application": apps[0].pk,
            "outcome": "laureate",
            "reason": "Bien",
            "allocations": [{"agency": "DREETS", "amount": "1000"}],
        },
        format="json",
    )
    assert refused.status_code == 400 and "porté par l'ARS seule" in refused.json()["allocations"][0]
    for a in apps:
        r = api_client.post(
            url,
            {
                "application": a.pk,
                "outcome": "laureate",
                "reason": "Très bon projet",
                "allocations": [{"agency": "ARS", "amount": "50000"}],
            },
            format="json",
        )
        assert r.status_code == 200, r.json()
    assert api_client.get("/api/v1/laureates/").json()["count"] == 0
    assert api_client.post(f"/api/v1/calls/{call.pk}/decide-laureates/", {}, format="json").status_code == 200
    assert api_client.post(f"/api/v1/calls/{call.pk}/transmit/", {}, format="json").json()["state"] == "transmitted"
    api_client.force_authenticate(None)
    public = api_client.get("/api/v1/laureates/?region=53").json()
    assert public["count"] == 2 and public["results"][0]["allocated_total"] == "50000.00"
    assert api_client.get("/api/v1/laureates/?region=76").json()["count"] == 0


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
    from tpj.audit.models import AuditEvent
    from tpj.calls.models import Call

    from .factories import CampaignFactory

    CampaignFactory()
    dreets = manager("DREETS", "53")
    api_client.force_authenticate(dreets)
    refused = api_client.post("/api/v1/calls/", {"strand": "ars"}, format="json")
    assert refused.status_code == 400 and "volet" in refused.json()["strand"][0]
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


def test_public_laureates_take_the_projetotheque_filters(api_client):
    from tests.valorisation.factories import PUBLIC_LAUREATE_FILTER_CASES, laureate, three_public_laureates

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
    from tests.valorisation.factories import laureate

    project = laureate("53", title="Café des parents")
    assert api_client.get(f"/api/v1/laureates/{project.pk}/", {"region": "76", "year": "x"}).json()["title"] == "Café des parents"
