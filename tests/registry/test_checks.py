"""Identifier check digits, geocoding adapter, duplicate warnings."""

import json
from pathlib import Path

import pytest

from tpj.registry import geocoding
from tpj.registry.identifiers import (
    check_contact,
    check_finess,
    check_reference,
    check_rpps,
    check_siren,
    check_siret,
    luhn_valid,
)
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


@pytest.mark.parametrize(
    "number", ["02 99 12 34 56", "02.99.12.34.56", "0262 12 34 56", "+33 2 99 12 34 56", "+262 262 12 34 56", "0033612345678"]
)
def test_french_and_international_phone_numbers_are_accepted(number):
    assert check_contact("phone", number) == ""


@pytest.mark.parametrize("number", ["abc", "12345", "02 99 12 34", "0099", "02 99 12 34 56 poste 2", "=1+1"])
def test_a_phone_number_that_is_none_says_how_to_write_one(number):
    assert "10 chiffres commençant par 0" in check_contact("phone", number)


@pytest.mark.django_db
def test_a_bad_phone_is_refused_on_the_form_the_api_and_the_import_alike(client, moderator_69):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.registry.test_import_export import HEADER, ROWS
    from tpj.registry import importer
    from tpj.registry.api.serializers import ContactInSerializer
    from tpj.registry.forms import ContactForm

    form = ContactForm({"kind": "phone", "value": "pas de téléphone"})
    assert not form.is_valid() and "10 chiffres" in form.errors["value"][0]
    api = ContactInSerializer(data={"kind": "phone", "value": "pas de téléphone"})
    assert not api.is_valid() and "10 chiffres" in str(api.errors["value"][0])

    bad_row = ROWS[1].replace(";0478000000;", ";04 78 00;")
    job = importer.create_job(
        "CAF du Rhône — RPE", SimpleUploadedFile("rpe.csv", f"{HEADER}\n{bad_row}".encode(), "text/csv"), moderator_69
    )
    importer.work(job.pk)
    job.refresh_from_db()
    assert job.created_count == 0 and job.error_count == 1
    assert "colonne « telephone » : saisissez un numéro de téléphone valide" in " ".join(job.errors[0]["erreurs"])
