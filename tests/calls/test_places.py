"""Places of action typed as communes (names, postal codes or INSEE codes), shown back as « Name (code) »."""

import html

import pytest
from django.urls import reverse

from tpj.calls.forms.applications import parse_places
from tpj.calls.models import Application

from .factories import applicant, make_call
from .views.test_pages import _application_post

pytestmark = pytest.mark.django_db


def test_places_are_read_from_names_postal_codes_codes_and_the_forms_own_labels():
    communes = parse_places("Rennes, 29019 ; Saint-Brieuc (22278), 35238, rennes", bound=10)
    assert [c.insee_code for c in communes] == ["35238", "29019", "22278"]  # each once, in the order given


def test_each_place_that_names_no_single_commune_is_said_with_what_to_do():
    with pytest.raises(Exception) as refused:
        parse_places("Renes, Saint-Denis, 35238", bound=10)
    messages = refused.value.messages
    assert messages[0] == "Commune inconnue : « Renes » (nom, code postal ou code INSEE)."
    assert messages[1].startswith("Plusieurs communes correspondent à « Saint-Denis » : précisez le code INSEE (")
    with pytest.raises(Exception, match="3 lieux indiqués : 2 au plus."):
        parse_places("35238, 29019, 22278", bound=2)


def test_the_application_form_takes_names_and_shows_the_places_back_as_labels(client):
    call = make_call(strand="ars")
    client.force_login(applicant())
    url = reverse("calls:application-create", args=[call.pk])
    page = client.get(url).content.decode()
    assert "data-places-field" in page and 'data-commune-autocomplete="/territoires/communes/"' in page
    assert "calls/places.js" in page

    wrong = client.post(url, _application_post(call, places="Rennes, Brestt"))
    assert wrong.status_code == 400
    assert "Commune inconnue : « Brestt » (nom, code postal ou code INSEE)." in html.unescape(wrong.content.decode())
    assert not Application.objects.exists()

    client.post(url, _application_post(call, places="Rennes, 29019"))
    app = Application.objects.get()
    assert sorted(app.places.values_list("insee_code", flat=True)) == ["29019", "35238"]
    edit = client.get(reverse("calls:application-edit", args=[app.pk]))
    assert edit.context["form"]["places"].value() in ("Rennes (35238), Brest (29019)", "Brest (29019), Rennes (35238)")


def test_a_partners_siret_is_checked_like_the_carriers(client):
    call = make_call(strand="ars")
    client.force_login(applicant())
    url = reverse("calls:application-create", args=[call.pk])
    response = client.post(url, _application_post(call, **{"partners-0-siret": "73282932000075"}))
    assert response.status_code == 400
    assert "Ce SIRET est invalide : sa clé de contrôle ne correspond pas." in html.unescape(response.content.decode())
