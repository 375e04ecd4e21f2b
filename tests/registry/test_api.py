"""REST API: public reads (verified only, consented contacts), member writes, moderator transitions."""

import pytest
from django.urls import reverse

from tpj.registry.models import Entry, State
from tpj.territories.models import Commune

from .factories import EntryFactory, verified_entry

pytestmark = pytest.mark.django_db

LIST = reverse("api-registry-entry-list")


def payload(**overrides):
    data = {
        "kind": "independant",
        "category": "sante",
        "name": "Sage-femme Élodie Marchand",
        "address": "12 quai Victor Augagneur",
        "postal_code": "69003",
        "commune": "69123",
        "website": "https://exemple.fr",
        "priorities": [{"number": 2, "description": "Entretien prénatal précoce et suivi post-natal."}],
        "situations": [
            {
                "situation": 3,
                "trusting_body_name": "CPAM du Rhône",
                "trusting_body_kind": "securite_sociale",
                "reference_type": "rpps",
                "reference_value": "10003456789",
            }
        ],
        "contacts": [{"kind": "phone", "value": "0478000000", "is_public": False}],
    }
    from tpj.registry.identifiers import luhn_valid

    valid = next(f"1000345678{d}" for d in "0123456789" if luhn_valid(f"1000345678{d}"))
    data["situations"][0]["reference_value"] = valid
    data.update(overrides)
    return data


def test_public_list_shows_only_verified_and_consented_contacts(api_client):
    shown = verified_entry(name="Crèche publiée")
    EntryFactory(name="Brouillon caché")
    EntryFactory(name="Soumise cachée", state=State.SUBMITTED)
    body = api_client.get(LIST).json()
    assert body["count"] == 1 and [r["name"] for r in body["results"]] == ["Crèche publiée"]
    assert body["results"][0]["contacts"] == [{"kind": "email", "value": "public@example.fr"}]
    assert api_client.get(reverse("api-registry-entry-detail", args=[shown.pk])).status_code == 200
    # An unpublished entry answers 404 like a missing one (was 401/403, which told it exists).
    hidden = Entry.objects.get(name="Brouillon caché")
    assert api_client.get(reverse("api-registry-entry-detail", args=[hidden.pk])).status_code == 404
    from tests.factories import UserFactory

    api_client.force_authenticate(UserFactory())
    assert api_client.get(reverse("api-registry-entry-detail", args=[hidden.pk])).status_code == 404


def test_filters_text_accent_insensitive_priority_territory_and_near(api_client):
    verified_entry(name="Médiathèque Champs Libres", setup__priorities=(6,))
    verified_entry(name="Crèche Saint-Exupéry", commune=Commune.objects.get(insee_code="69123"), postal_code="69001")
    verified_entry(name="Crèche de Cesson", commune=Commune.objects.get(insee_code="35051"), postal_code="35510")

    def names(**params):
        return sorted(r["name"] for r in api_client.get(LIST, params).json()["results"])

    assert names(q="mediatheque") == ["Médiathèque Champs Libres"]
    assert names(q="EXUPERY st") == ["Crèche Saint-Exupéry"]
    assert names(priorite=6) == ["Médiathèque Champs Libres"]
    assert names(departement="69") == ["Crèche Saint-Exupéry"]
    assert names(region="53", priorite=8) == ["Crèche de Cesson"]
    assert names(autour="35238", km=15) == ["Crèche de Cesson", "Médiathèque Champs Libres"]
    assert api_client.get(LIST, {"autour": "35238", "km": 15}).json()["count"] == 2
    bad = api_client.get(LIST, {"departement": "999", "km": "beaucoup"})
    assert bad.status_code == 400 and "Département inconnu" in bad.json()["departement"][0] and "rayon" in bad.json()["km"][0]


def test_member_creates_patches_and_submits(api_client, member, moderator_69, moderator_35):
    api_client.force_authenticate(member)
    created = api_client.post(LIST, payload(), format="json")
    assert created.status_code == 201, created.json()
    entry_id = created.json()["id"]
    assert created.json()["state"] == "draft" and created.json()["contacts"] == [{"kind": "phone", "value": "0478000000"}]
    detail = reverse("api-registry-entry-detail", args=[entry_id])
    patched = api_client.patch(detail, {"name": "Cabinet de sage-femme Marchand"}, format="json")
    assert patched.status_code == 200 and patched.json()["name"] == "Cabinet de sage-femme Marchand"
    assert api_client.post(reverse("api-registry-entry-submit", args=[entry_id])).json()["state"] == "submitted"
    # The registrant cannot verify its own entry (403: it sees it); a moderator of another
    # territory does not see the submitted entry: 404 (was 403, which told it exists).
    assert api_client.post(reverse("api-registry-entry-verify", args=[entry_id])).status_code == 403
    api_client.force_authenticate(moderator_35)
    assert api_client.post(reverse("api-registry-entry-verify", args=[entry_id])).status_code == 404
    api_client.force_authenticate(moderator_69)
    refused = api_client.post(reverse("api-registry-entry-reject", args=[entry_id]), {}, format="json")
    assert refused.status_code == 400 and "motif" in str(refused.json()).lower()
    verified = api_client.post(reverse("api-registry-entry-verify", args=[entry_id]))
    assert verified.status_code == 200 and verified.json()["state"] == "verified"
    suspended = api_client.post(reverse("api-registry-entry-suspend", args=[entry_id]), {"reason": "Contrôle"}, format="json")
    assert suspended.json()["state"] == "suspended"


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"postal_code": "35000"}, "postal_code"),
        ({"name": "x" * 10_000}, "name"),
        ({"priorities": [{"number": 42, "description": ""}]}, "priorities"),
        (
            {
                "situations": [
                    {
                        "situation": 3,
                        "trusting_body_name": "CPAM",
                        "trusting_body_kind": "securite_sociale",
                        "reference_type": "finess",
                        "reference_value": "750712185",
                    }
                ]
            },
            "situations",
        ),
    ],
)
def test_api_bad_input_400_in_french_nothing_saved(api_client, member, overrides, key):
    api_client.force_authenticate(member)
    response = api_client.post(LIST, payload(**overrides), format="json")
    assert response.status_code == 400 and key in response.json()
    assert not Entry.objects.exists()


def test_anonymous_cannot_create(api_client):
    assert api_client.post(LIST, payload(), format="json").status_code in (401, 403)


def test_submit_without_priority_is_refused(api_client, member):
    api_client.force_authenticate(member)
    entry_id = api_client.post(LIST, payload(priorities=[]), format="json").json()["id"]
    response = api_client.post(reverse("api-registry-entry-submit", args=[entry_id]))
    assert response.status_code == 400 and "priorité" in str(response.json())


def test_openapi_schema_lists_registry_endpoints(api_client):
    schema = api_client.get(reverse("api-schema"), {"format": "json"}).json()
    for path in ("/api/v1/entries/", "/api/v1/entries/{id}/", "/api/v1/entries/{id}/verify/", "/api/v1/map/"):
        assert path in schema["paths"]


@pytest.mark.django_db(transaction=True)
def test_a_creation_that_fails_after_writing_leaves_nothing_while_reads_run_outside_a_transaction(
    api_client, member, monkeypatch
):
    """The list and the creation share one address: the reads left out of ATOMIC_REQUESTS's
    transaction (two round trips saved on PostgreSQL) must not take the writes out of it."""
    from django.db import transaction

    import tpj.registry.api.entries as entries_api
    from tpj.registry.search import SearchResults

    in_transaction = []
    real_count = SearchResults.count
    monkeypatch.setattr(
        SearchResults,
        "count",
        lambda self: in_transaction.append(transaction.get_connection().in_atomic_block) or real_count(self),
    )
    assert api_client.get(LIST).status_code == 200
    assert in_transaction == [False]

    real_create = entries_api.create_entry

    def create_then_fail(*args, **kwargs):
        real_create(*args, **kwargs)  # committed by its own atomic block if it were the outermost one
        raise RuntimeError("panne après l'écriture")

    monkeypatch.setattr(entries_api, "create_entry", create_then_fail)
    api_client.force_authenticate(member)
    api_client.raise_request_exception = False
    assert api_client.post(LIST, payload(), format="json").status_code == 500
    assert not Entry.objects.exists()
