"""The carrier's identity from the Sirene register: offline answers, the HTTP adapter on recorded
responses (its call mocked), the fallback, and the « Rechercher » of the application form."""

import io
import json
import urllib.error

import pytest
from django.urls import reverse

from tpj.core import sirene

from .factories import applicant, make_call

BREST = "57315702129010"  # the demo's Ville de Brest (fictitious SIRET), in the recorded answers


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def recorded(siret) -> bytes:
    return json.dumps(sirene.OfflineSirene().search(siret)).encode()


def test_the_offline_adapter_is_the_default_and_answers_from_the_recorded_answers(settings):
    assert settings.SIRENE == "offline"
    result = sirene.lookup("573 157 021 29010")
    assert result.message == ""
    assert result.identity == sirene.Identity(
        siret=BREST,
        legal_name="COMMUNE DE BREST",
        address="2 RUE FREZIER 29200 BREST",
        legal_form="Commune",
        activity="84.11Z — Administration publique générale",
        closed=False,
    )


def test_a_wrong_unknown_or_closed_siret_is_said_in_french():
    assert sirene.lookup("57315702129011").message.startswith("Ce SIRET est invalide : sa clé de contrôle")
    assert sirene.lookup("1234").message == "Le SIRET doit comporter 14 chiffres."
    unknown = sirene.lookup("73282932000074")
    assert unknown.identity is None and "n'est connu du répertoire Sirene" in unknown.message
    closed = sirene.lookup("88623096005578")
    assert closed.identity and "Cet établissement est fermé" in closed.message


def test_the_http_adapter_asks_the_api_with_a_timeout_and_reads_its_answer(settings, monkeypatch):
    settings.SIRENE = "api"
    calls = []

    def urlopen(request, timeout):
        calls.append((request.full_url, timeout))
        return FakeResponse(recorded(BREST))

    monkeypatch.setattr(sirene.urllib.request, "urlopen", urlopen)
    result = sirene.lookup(BREST)
    assert calls == [(f"https://recherche-entreprises.api.gouv.fr/search?q={BREST}", sirene.TIMEOUT_SECONDS)]
    assert result.identity.legal_name == "COMMUNE DE BREST" and result.message == ""


def test_a_siret_found_among_the_matching_establishments_not_the_head_office():
    payload = json.loads(recorded(BREST))
    result = payload["results"][0]
    result["matching_etablissements"] = [{**result["siege"], "siret": "57315702100019", "adresse": "PLACE DE LA LIBERTE"}]
    identity = sirene.parse(payload, "57315702100019")
    assert identity.address == "PLACE DE LA LIBERTE" and identity.legal_form == "Commune"
    assert sirene.parse(payload, "57315702199999") is None


def test_when_the_api_fails_the_offline_answers_are_used_and_the_user_told(settings, monkeypatch):
    settings.SIRENE = "api"

    def down(request, timeout):
        raise urllib.error.URLError("timed out")

    monkeypatch.setattr(sirene.urllib.request, "urlopen", down)
    known = sirene.lookup(BREST)
    assert known.identity.legal_name == "COMMUNE DE BREST" and "ne répond pas" in known.message
    unknown = sirene.lookup("73282932000074")
    assert unknown.identity is None and "Le répertoire Sirene ne répond pas : réessayez plus tard." in unknown.message


@pytest.mark.django_db
def test_rechercher_fills_the_carriers_identity_with_htmx_and_without_javascript(client):
    call = make_call(strand="ars")
    url = reverse("calls:sirene-lookup")
    assert client.get(url, {"siret": BREST}).status_code == 302  # signed-in applicants only
    client.force_login(applicant())
    form = client.get(reverse("calls:application-create", args=[call.pk])).content.decode()
    assert f'hx-get="{url}"' in form and 'hx-include="#id_carrier_siret"' in form

    card = client.get(url, {"carrier_siret": BREST}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in card
    for shown in ("COMMUNE DE BREST", "2 RUE FREZIER 29200 BREST", "Commune", "84.11Z — Administration publique générale"):
        assert shown in card
    page = client.get(url, {"siret": "57315702129011"})
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert "clé de contrôle ne correspond pas" in page.content.decode().replace("&#x27;", "'")
