"""The calls API, decisions: allocation, laureate list, transmission, then the public laureates."""

from decimal import Decimal

import pytest

from tests.calls.factories import close, make_call, submitted_application
from tpj.calls.services.instruction import declare_eligible

pytestmark = pytest.mark.django_db


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
