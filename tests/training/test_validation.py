"""Each bad input of issue 20 gets a French message, and nothing is half-saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, today
from tpj.training.forms import OrganisationForm
from tpj.training.models import Offer, OfferState, Session
from tpj.training.services.offers import submit

pytestmark = pytest.mark.django_db


def offer_data(**overrides):
    start = today() + datetime.timedelta(days=20)
    data = {
        "title": "Éveil au langage des tout-petits",
        "themes": ["1"],
        "audiences": ["eaje", "assistant_maternel"],
        "objectives": "Comprendre le développement du langage.",
        "programme": "Deux journées.",
        "duration_hours": "14",
        "format": "presentiel",
        "price": "349,90",
        "funding_routes": ["volet_national"],
        "funding_details": "Prise en charge intégrale pour les EAJE.",
        "prerequisites": "",
        "accessibility": "Locaux accessibles.",
        "registration_url": "https://formation.example.fr/inscription",
        "contact_email": "",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "50",
        "sessions-0-start_date": start.isoformat(),
        "sessions-0-end_date": (start + datetime.timedelta(days=1)).isoformat(),
        "sessions-0-commune": "35238",
        "sessions-0-capacity": "12",
        "sessions-0-seats_left": "",
    }
    data.update(overrides)
    return data


def post_offer(client, member, organisation, **overrides):
    client.force_login(member)
    return client.post(reverse("training:create", args=[organisation.pk]), offer_data(**overrides))


def test_a_complete_offer_is_saved_with_its_session(client, member, organisation):
    response = post_offer(client, member, organisation)
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.price_cents == 34990
    assert offer.audience_values == ["eaje", "assistant_maternel"]
    session = offer.sessions.get()
    assert (session.capacity, session.seats_left) == (12, 12)  # empty: every seat is free
    assert offer.state == OfferState.DRAFT


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"sessions-0-end_date": (today() + datetime.timedelta(days=10)).isoformat()},
            "La session ne peut pas finir avant de commencer.",
        ),
        (
            {
                "sessions-0-start_date": (today() - datetime.timedelta(days=3)).isoformat(),
                "sessions-0-end_date": (today() - datetime.timedelta(days=2)).isoformat(),
            },
            "Une nouvelle session ne peut pas commencer dans le passé.",
        ),
        ({"sessions-0-capacity": "0"}, "Une session compte au moins une place."),
        ({"sessions-0-capacity": "-4"}, "Une session compte au moins une place."),
        ({"sessions-0-seats_left": "13"}, "Les places restantes ne peuvent pas dépasser le nombre de places."),
        ({"sessions-0-commune": ""}, "Indiquez la commune de la session, ou cochez « à distance »."),
        ({"sessions-0-commune": "Nulle-Part-sur-Mer"}, "Commune inconnue : « Nulle-Part-sur-Mer »"),
        ({"price": "-10"}, "Le prix ne peut pas être négatif."),
        ({"price": "12,345"}, "Indiquez le prix avec au plus 2 décimales (des centimes)."),
        ({"themes": ["99"]}, "Thème inconnu : « 99 »"),
        ({"themes": ["langage"]}, "Thème inconnu : « langage »"),
        ({"title": "x" * 10_000}, "au plus 200 caractères"),
        ({"registration_url": "javascript:alert(1)"}, "doit être une adresse web complète commençant par http:// ou https://"),
        ({"registration_url": "ftp://formation.example.fr/"}, "commençant par http:// ou https://"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_saved(client, member, organisation, overrides, message):
    response = post_offer(client, member, organisation, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Offer.objects.exists()
    assert not Session.objects.exists()


def test_html_in_the_programme_is_shown_escaped(client, member, organisation):
    post_offer(client, member, organisation, programme='<script>alert("x")</script><b>Jour 1</b>')
    offer = Offer.objects.get()
    page = client.get(reverse("training:offer", args=[offer.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;Jour 1&lt;/b&gt;" in page
    assert '<script>alert("x")' not in page


def test_an_offer_without_session_cannot_be_submitted(member, organisation):
    offer = OfferFactory(organisation=organisation)
    with pytest.raises(ValidationError) as error:
        submit(offer, member)
    assert "Ajoutez au moins une session : une offre ne peut pas être soumise sans session." in error.value.messages
    offer.refresh_from_db()
    assert offer.state == OfferState.DRAFT


def test_submitting_from_the_form_without_session_keeps_the_draft_and_says_why(client, member, organisation):
    response = post_offer(client, member, organisation, **{"sessions-TOTAL_FORMS": "0", "submit": "1"})
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.state == OfferState.DRAFT
    page = client.get(response.url).content.decode()
    assert "une offre ne peut pas être soumise sans session" in page


def test_an_incomplete_offer_lists_what_is_missing(member, organisation):
    offer = OfferFactory(organisation=organisation, objectives="", accessibility="", themes=[])
    SessionFactory(offer=offer)
    with pytest.raises(ValidationError) as error:
        submit(offer, member)
    assert "Choisissez au moins un thème du plan de formation." in error.value.messages
    assert "Décrivez les objectifs de la formation." in error.value.messages
    assert "Indiquez l'accessibilité de la formation aux personnes en situation de handicap." in error.value.messages


def test_the_database_refuses_a_session_ending_before_it_starts_or_over_capacity(db):
    session = SessionFactory.build(offer=OfferFactory(), end_date=today(), start_date=today() + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert error.value.message_dict["end_date"] == ["La session ne peut pas finir avant de commencer."]
    session = SessionFactory.build(offer=OfferFactory(), capacity=5, seats_left=6)
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert error.value.message_dict["seats_left"] == ["Les places restantes ne peuvent pas dépasser le nombre de places."]


def organisation_data(**overrides):
    data = {
        "name": "Institut petite enfance",
        "siret": "732 829 320 00074",
        "activity_number": "53350000035",
        "qualiopi": "on",
        "qualiopi_date": "2022-03-01",
        "commune": "Rennes",
    }
    data.update(overrides)
    return data


def test_an_organisation_is_registered_with_a_valid_siret(client, db):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("training:register-organisation"), organisation_data())
    assert response.status_code == 302
    organisation = user.training_organisations.get()
    assert (organisation.siret, organisation.region_id) == ("73282932000074", "53")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"activity_number": "5335000003"},
            "activity_number",
            "Le numéro de déclaration d'activité doit comporter exactement 11 chiffres.",
        ),
        (
            {"activity_number": "5335000003A"},
            "activity_number",
            "Le numéro de déclaration d'activité doit comporter exactement 11 chiffres.",
        ),
        ({"activity_number": "533500000351"}, "activity_number", "doit comporter exactement 11 chiffres"),
        (
            {"siret": "73282932000075"},
            "siret",
            "Ce SIRET est invalide : sa clé de contrôle ne correspond pas. Vérifiez les 14 chiffres.",
        ),
        ({"qualiopi_date": ""}, "qualiopi_date", "Indiquez la date de la certification Qualiopi."),
    ],
)
def test_organisation_bad_input(db, overrides, field, message):
    form = OrganisationForm(organisation_data(**overrides))
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field])


def test_a_second_organisation_with_the_same_siret_is_refused(db):
    TrainingOrganisationFactory(siret="73282932000074")
    form = OrganisationForm(organisation_data())
    assert not form.is_valid()
    assert "Un organisme de formation portant ce SIRET est déjà inscrit." in str(form.errors)


def test_the_draft_saves_as_the_member_types_and_says_what_is_wrong(client, member, organisation):
    offer = OfferFactory(organisation=organisation, title="Ancien intitulé")
    client.force_login(member)
    url = reverse("training:edit", args=[offer.pk])
    data = offer_data(title="Nouvel intitulé", **{"sessions-TOTAL_FORMS": "0"})
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert "Brouillon enregistré automatiquement" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).title == "Nouvel intitulé"
    response = client.post(url, {**data, "price": "-1"}, HTTP_HX_REQUEST="true")
    assert "Le prix ne peut pas être négatif." in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).price_cents == 34990
