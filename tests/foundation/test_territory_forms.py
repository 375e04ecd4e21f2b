import pytest
from django import forms

from tpj.territories.forms import CommuneField, validate_postal_code
from tpj.territories.models import Commune

pytestmark = pytest.mark.django_db


class AddressForm(forms.Form):
    commune = CommuneField(label="Commune")


def test_a_known_insee_code_cleans_to_its_commune():
    form = AddressForm({"commune": " 29232 "})
    assert form.is_valid()
    assert form.cleaned_data["commune"].name == "Quimper"


def test_an_unknown_commune_gets_a_french_message():
    form = AddressForm({"commune": "99999"})
    assert not form.is_valid()
    assert form.errors["commune"] == ["Commune inconnue : choisissez-la dans la liste proposée (code INSEE)."]


def test_a_missing_commune_is_required_in_french():
    form = AddressForm({"commune": ""})
    assert form.errors["commune"] == ["Ce champ est obligatoire."]


def test_a_postal_code_of_another_commune_is_refused_with_the_right_ones():
    rennes = Commune.objects.get(insee_code="35238")
    validate_postal_code(rennes, "35000")
    with pytest.raises(forms.ValidationError) as error:
        validate_postal_code(rennes, "29000")
    assert error.value.messages == [
        f"Le code postal 29000 ne correspond pas à Rennes (codes possibles : {', '.join(rennes.postal_code_list)})."
    ]


def test_the_autocomplete_needs_two_characters_and_lists_ten_at_most(client):
    assert "<option" not in client.get("/territoires/communes/", {"q": "s"}).content.decode()
    assert client.get("/territoires/communes/", {"q": "saint"}).content.decode().count("<option") == 10
