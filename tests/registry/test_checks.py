"""Identifier check digits, geocoding adapter, duplicate warnings."""

import json
from pathlib import Path

import pytest

from tpj.registry import geocoding
from tpj.registry.identifiers import check_finess, check_reference, check_rpps, check_siren, check_siret, luhn_valid
from tpj.territories.models import Commune

from .factories import FINESS_APHP, FINESS_CHU_RENNES

# FINESS of real establishments, as published in the FINESS register.
REAL_FINESS = [
    FINESS_APHP,  # Assistance publique – Hôpitaux de Paris
    "750100208",  # Hôpital Necker-Enfants malades (AP-HP)
    FINESS_CHU_RENNES,  # CHU de Rennes
    "690781810",  # Hospices civils de Lyon
    "130786049",  # AP-HM (Marseille)
    "310781406",  # CHU de Toulouse
]


@pytest.mark.parametrize("number", REAL_FINESS)
def test_real_finess_numbers_are_valid(number):
    assert check_finess(number) == ""


@pytest.mark.parametrize("number", ["750712185", "75071218", "7507121840", "ABC712184"])
def test_wrong_finess_is_refused_with_a_french_message(number):
    assert "FINESS" in check_finess(number)


def test_finess_of_corsica_uses_2a_2b():
    # "2A" counts as "20" for the Luhn key: build a valid one and check a wrong key fails.
    body = "2A0000001"[:8]
    key = next(d for d in "0123456789" if luhn_valid("20" + body[2:] + d))
    assert check_finess(body + key) == ""
    assert check_finess(body + str((int(key) + 1) % 10)) != ""


def test_rpps_is_11_digits_with_a_luhn_key():
    assert luhn_valid("79927398713")  # the textbook Luhn example
    valid = next(f"1000345678{d}" for d in "0123456789" if luhn_valid(f"1000345678{d}"))
    assert check_rpps(valid) == ""
    assert "clé de contrôle" in check_rpps(valid[:-1] + str((int(valid[-1]) + 1) % 10))
    assert "11 chiffres" in check_rpps("1234")


def test_siret_and_siren_via_stdnum():
    assert check_siret("732 829 320 00074") == ""  # the INSEE documentation example
    assert "clé de contrôle" in check_siret("73282932000075")
    assert check_siren("732829320") == ""
    assert "9 chiffres" in check_siren("12345")
    assert check_reference("agrement", "AG") != "" and check_reference("agrement", "AGR-35-2024-12") == ""


@pytest.mark.django_db
def test_ban_geocoder_parses_recorded_response(settings):
    settings.GEOCODER = "ban"
    rennes = Commune.objects.get(insee_code="35238")
    recorded = json.loads((Path(__file__).parent / "data" / "ban_rennes.json").read_text())
    point = geocoding.geocode("2 rue de Paris", rennes, fetch=lambda address, commune: recorded)
    assert (point.latitude, point.longitude, point.precision) == (48.111339, -1.677793, "housenumber")


@pytest.mark.django_db
def test_ban_failure_or_other_commune_falls_back_to_commune_centre(settings):
    settings.GEOCODER = "ban"
    rennes = Commune.objects.get(insee_code="35238")

    def broken(address, commune):
        raise OSError("réseau indisponible")

    point = geocoding.geocode("2 rue de Paris", rennes, fetch=broken)
    assert (point.latitude, point.longitude, point.precision) == (rennes.latitude, rennes.longitude, "municipality")
    recorded = json.loads((Path(__file__).parent / "data" / "ban_rennes.json").read_text())
    brest = Commune.objects.get(insee_code="29019")
    assert geocoding.geocode("2 rue de Paris", brest, fetch=lambda a, c: recorded).precision == "municipality"
