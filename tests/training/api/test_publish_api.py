"""Journey 1 through the API: a training organisation registers, writes a draft offer and its
sessions, and submits it — with the site's rules and French messages, nothing half-saved."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, member_of, today
from tpj.audit.models import AuditEvent
from tpj.notifications.models import Notification
from tpj.outbox.models import OutgoingEmail
from tpj.territories.models import Commune
from tpj.training.models import Offer, OfferState, Session, TrainingOrganisation

pytestmark = pytest.mark.django_db


URL = "/api/v1/training/my-offers/"


def session_body(**overrides):
    start = today() + datetime.timedelta(days=20)
    body = {"debut": start.isoformat(), "fin": (start + datetime.timedelta(days=1)).isoformat(), "commune": "35238", "places": 12}
    body.update(overrides)
    return body


def offer_body(organisation, sessions=None, **overrides):
    body = {
        "organisme": organisation.pk,
        "intitule": "Éveil au langage des tout-petits",
        "themes": [1],
        "publics": ["eaje", "assistant_maternel"],
        "objectifs": "Comprendre le développement du langage.",
        "programme": "Deux journées.",
        "duree_heures": "14",
        "modalite": "presentiel",
        "prix": "349.90",
        "financements": ["volet_national"],
        "precisions_financement": "Prise en charge intégrale pour les EAJE.",
        "accessibilite": "Locaux accessibles.",
        "lien_inscription": "https://formation.example.fr/inscription",
        "sessions": [session_body()] if sessions is None else sessions,
    }
    body.update(overrides)
    return body


def messages(response) -> str:
    return str(response.json())


# -- Registering the organisation ----------------------------------------------------------------


def organisation_body(**overrides):
    body = {
        "nom": "Institut Petite Enfance de Bretagne",
        "siret": "732 829 320 00074",
        "numero_declaration_activite": "53350000035",
        "qualiopi": True,
        "date_qualiopi": "2022-03-01",
        "commune": "Rennes",
    }
    body.update(overrides)
    return body


def test_a_person_registers_an_organisation_and_becomes_its_member(api_client):
    user = UserFactory()
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/training/organisations/", organisation_body(), format="json")
    assert response.status_code == 201, response.content
    organisation = user.training_organisations.get()
    assert (organisation.siret, organisation.region_id) == ("73282932000074", "53")
    assert response.json()["id"] == organisation.pk and response.json()["region"] == "53"
    assert AuditEvent.objects.for_object(organisation).filter(action="training.organisation_registered", actor=user).exists()
    listed = api_client.get("/api/v1/training/organisations/").json()["results"]
    assert [row["id"] for row in listed] == [organisation.pk]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"numero_declaration_activite": "5335000003"},
            "numero_declaration_activite",
            "Le numéro de déclaration d'activité doit comporter exactement 11 chiffres.",
        ),
        ({"siret": "73282932000075"}, "siret", "sa clé de contrôle ne correspond pas"),
        ({"date_qualiopi": None}, "date_qualiopi", "Indiquez la date de la certification Qualiopi."),
        ({"commune": "Nulle-Part-sur-Mer"}, "commune", "Commune inconnue"),
    ],
)
def test_a_bad_organisation_is_refused_in_french_and_not_saved(api_client, overrides, field, message):
    api_client.force_authenticate(UserFactory())
    response = api_client.post("/api/v1/training/organisations/", organisation_body(**overrides), format="json")
    assert response.status_code == 400
    assert any(message in error for error in response.json()[field])
    assert not TrainingOrganisation.objects.exists()


def test_the_same_siret_twice_is_refused(api_client):
    TrainingOrganisationFactory(siret="73282932000074")
    api_client.force_authenticate(UserFactory())
    response = api_client.post("/api/v1/training/organisations/", organisation_body(), format="json")
    assert response.status_code == 400
    assert "déjà inscrit" in str(response.json()["siret"])


def test_registering_needs_an_account(api_client):
    assert api_client.post("/api/v1/training/organisations/", organisation_body(), format="json").status_code == 401


# -- Writing a draft ----------------------------------------------------------------------------


def test_a_member_creates_a_draft_with_its_sessions(api_client, member, organisation):
    api_client.force_authenticate(member)
    response = api_client.post(URL, offer_body(organisation), format="json")
    assert response.status_code == 201, response.content
    offer = Offer.objects.get()
    assert offer.state == OfferState.DRAFT and offer.price_cents == 34990
    assert offer.audience_values == ["eaje", "assistant_maternel"] and [t.number for t in offer.themes.all()] == [1]
    session = offer.sessions.get()
    assert (session.capacity, session.seats_left, session.commune_id) == (12, 12, "35238")
    body = response.json()
    assert body["etat"] == "draft" and body["prix"] == "349.9" and body["modifiable"] is True
    assert body["sessions"][0]["places_restantes"] == 12
    assert AuditEvent.objects.for_object(offer).filter(action="training.offer_created", actor=member).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"sessions": [session_body(fin=(today() + datetime.timedelta(days=10)).isoformat())]},
            "sessions",
            "finir avant de commencer",
        ),
        (
            {
                "sessions": [
                    session_body(
                        debut=(today() - datetime.timedelta(days=3)).isoformat(),
                        fin=(today() - datetime.timedelta(days=2)).isoformat(),
                    )
                ]
            },
            "sessions",
            "Une nouvelle session ne peut pas commencer dans le passé.",
        ),
        ({"sessions": [session_body(places=0)]}, "sessions", "Une session compte au moins une place."),
        ({"sessions": [session_body(places=-4)]}, "sessions", "Une session compte au moins une place."),
        (
            {"sessions": [session_body(places_restantes=13)]},
            "sessions",
            "Les places restantes ne peuvent pas dépasser le nombre de places.",
        ),
        ({"prix": "-10"}, "prix", "Le prix ne peut pas être négatif."),
        ({"prix": 12.345}, "prix", "Indiquez le prix avec au plus 2 décimales (des centimes)."),
        ({"themes": [99]}, "themes", "Thème inconnu : « 99 »"),
        ({"intitule": "x" * 10_000}, "intitule", "au plus 200 caractères"),
        ({"lien_inscription": "javascript:alert(1)"}, "lien_inscription", "commençant par http:// ou https://"),
        ({"sessions": [{}]}, "sessions", "obligatoire"),
    ],
)
def test_each_bad_input_is_refused_in_french_and_nothing_is_saved(api_client, member, organisation, overrides, field, message):
    api_client.force_authenticate(member)
    response = api_client.post(URL, offer_body(organisation, **overrides), format="json")
    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert not Offer.objects.exists() and not Session.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="training.").exists()


def test_html_in_the_programme_is_kept_as_text_and_shown_escaped(api_client, client, member, organisation):
    api_client.force_authenticate(member)
    programme = '<script>alert("x")</script><b>Jour 1</b>'
    response = api_client.post(URL, offer_body(organisation, programme=programme), format="json")
    assert response.json()["programme"] == programme
    client.force_login(member)
    page = client.get(reverse("training:offer", args=[response.json()["id"]])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and '<script>alert("x")' not in page


def test_only_members_create_in_an_organisation(api_client, organisation):
    api_client.force_authenticate(UserFactory())
    response = api_client.post(URL, offer_body(organisation), format="json")
    assert response.status_code == 403
    assert "Seuls les membres de l'organisme de formation" in response.json()["detail"]
    assert not Offer.objects.exists()


def test_an_unknown_organisation_is_a_400(api_client, member, organisation):
    api_client.force_authenticate(member)
    response = api_client.post(URL, offer_body(organisation, organisme=999_999), format="json")
    assert response.status_code == 400 and "Organisme de formation inconnu" in messages(response)


def test_a_patch_changes_what_is_sent_and_nothing_else(api_client, member, organisation):
    offer = OfferFactory(organisation=organisation, title="Ancien intitulé", audiences=["eaje"], price_cents=10000)
    api_client.force_authenticate(member)
    response = api_client.patch(f"{URL}{offer.pk}/", {"intitule": "Nouvel intitulé", "publics": ["autre"]}, format="json")
    assert response.status_code == 200, response.content
    offer.refresh_from_db()
    assert offer.title == "Nouvel intitulé" and offer.audience_values == ["autre"] and offer.price_cents == 10000
    assert AuditEvent.objects.for_object(offer).filter(action="training.offer_saved").exists()
    bad = api_client.patch(f"{URL}{offer.pk}/", {"prix": "-1", "intitule": "Encore autre"}, format="json")
    assert bad.status_code == 400 and "Le prix ne peut pas être négatif." in bad.json()["prix"]
    offer.refresh_from_db()
    assert offer.title == "Nouvel intitulé"


def test_a_submitted_offer_is_not_editable(api_client, member, organisation):
    offer = OfferFactory(organisation=organisation, state=OfferState.SUBMITTED, title="En modération")
    session = SessionFactory(offer=offer)
    api_client.force_authenticate(member)
    response = api_client.patch(f"{URL}{offer.pk}/", {"intitule": "Autre"}, format="json")
    assert response.status_code == 400 and "n'est plus modifiable" in messages(response)
    assert api_client.delete(f"{URL}{offer.pk}/sessions/{session.pk}/").status_code == 400
    assert Offer.objects.get(pk=offer.pk).title == "En modération" and Session.objects.filter(pk=session.pk).exists()


# -- Sessions -------------------------------------------------------------------------------------


def test_a_member_adds_edits_and_deletes_sessions_audited_on_the_offer(api_client, member, organisation):
    offer = OfferFactory(organisation=organisation)
    api_client.force_authenticate(member)
    added = api_client.post(f"{URL}{offer.pk}/sessions/", session_body(a_distance=True, commune=""), format="json")
    assert added.status_code == 201, added.content
    session = Session.objects.get(pk=added.json()["id"])
    assert session.is_remote and session.commune is None and session.offer == offer

    edited = api_client.patch(f"{URL}{offer.pk}/sessions/{session.pk}/", {"places": 20, "places_restantes": 5}, format="json")
    assert edited.status_code == 200, edited.content
    session.refresh_from_db()
    assert (session.capacity, session.seats_left, session.is_remote) == (20, 5, True)

    too_many = api_client.patch(f"{URL}{offer.pk}/sessions/{session.pk}/", {"places_restantes": 21}, format="json")
    assert too_many.status_code == 400
    assert too_many.json()["places_restantes"] == ["Les places restantes ne peuvent pas dépasser le nombre de places."]
    assert Session.objects.get(pk=session.pk).seats_left == 5

    assert api_client.delete(f"{URL}{offer.pk}/sessions/{session.pk}/").status_code == 204
    assert not Session.objects.filter(pk=session.pk).exists()
    actions = list(AuditEvent.objects.for_object(offer).values_list("action", flat=True))
    assert {"training.session_added", "training.session_saved", "training.session_deleted"} <= set(actions)


def test_another_offers_session_is_a_404(api_client, member, organisation):
    offer = OfferFactory(organisation=organisation)
    other = SessionFactory(offer=OfferFactory(organisation=organisation))
    api_client.force_authenticate(member)
    assert api_client.patch(f"{URL}{offer.pk}/sessions/{other.pk}/", {"places": 3}, format="json").status_code == 404


def test_other_organisations_offers_are_hidden_or_refused(api_client, member):
    toulouse = TrainingOrganisationFactory(commune=Commune.objects.get(insee_code="31555"), activity_number="76310000031")
    draft = OfferFactory(organisation=toulouse, title="Brouillon d'ailleurs")
    published = OfferFactory(organisation=toulouse, state=OfferState.PUBLISHED)
    api_client.force_authenticate(member)
    assert api_client.get(f"{URL}{draft.pk}/").status_code == 404
    assert api_client.patch(f"{URL}{draft.pk}/", {"intitule": "Pris"}, format="json").status_code == 404
    assert api_client.post(f"{URL}{draft.pk}/sessions/", session_body(), format="json").status_code == 404
    refused = api_client.post(f"{URL}{published.pk}/withdraw/")
    assert refused.status_code == 403 and "Seuls les membres" in refused.json()["detail"]
    assert Offer.objects.get(pk=draft.pk).title == "Brouillon d'ailleurs"
    assert Offer.objects.get(pk=published.pk).state == OfferState.PUBLISHED


# -- Submitting and listing -------------------------------------------------------------------------


def test_an_offer_without_a_session_is_not_submitted(api_client, member, organisation):
    offer = OfferFactory(organisation=organisation)
    api_client.force_authenticate(member)
    response = api_client.post(f"{URL}{offer.pk}/submit/")
    assert response.status_code == 400
    assert "Ajoutez au moins une session : une offre ne peut pas être soumise sans session." in messages(response)
    assert Offer.objects.get(pk=offer.pk).state == OfferState.DRAFT


def test_submitting_is_the_workflow_transition_audited_and_notified(
    api_client, member, organisation, national, commissaire_bretagne, commissaire_occitanie
):
    offer = OfferFactory(organisation=organisation)
    SessionFactory(offer=offer)
    api_client.force_authenticate(member)
    response = api_client.post(f"{URL}{offer.pk}/submit/")
    assert response.status_code == 200 and response.json()["etat"] == "submitted"
    event = AuditEvent.objects.for_object(offer).get(action="training.offer.submit")
    assert (event.actor, event.from_state, event.to_state) == (member, "draft", "submitted")
    told = Notification.objects.filter(kind="training.offer.submit")
    assert set(told.values_list("recipient__email", flat=True)) == {national.email, commissaire_bretagne.email}
    immediate = told.filter(delivery="immediate")
    assert OutgoingEmail.objects.filter(notifications__in=immediate).count() == immediate.count()
    again = api_client.post(f"{URL}{offer.pk}/submit/")
    assert again.status_code == 400


def test_my_offers_lists_every_state_of_my_organisations_only(api_client, member, organisation):
    mine = [OfferFactory(organisation=organisation, state=state) for state in OfferState.values]
    OfferFactory(organisation=TrainingOrganisationFactory(), state=OfferState.PUBLISHED)
    member_of(TrainingOrganisationFactory())  # another organisation's member
    api_client.force_authenticate(member)
    rows = api_client.get(URL).json()["results"]
    assert sorted(row["id"] for row in rows) == sorted(offer.pk for offer in mine)
    assert {row["etat"] for row in rows} == set(OfferState.values)


def test_a_choice_sent_twice_is_written_once(api_client, member, organisation):
    offer = OfferFactory(organisation=organisation)
    api_client.force_authenticate(member)
    body = {"publics": ["eaje", "eaje", "autre"], "financements": ["opco", "opco"], "themes": [2, 2]}
    response = api_client.patch(f"{URL}{offer.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    offer.refresh_from_db()
    assert offer.audience_values == ["eaje", "autre"] and offer.funding_values == ["opco"]
    assert [theme.number for theme in offer.themes.all()] == [2]
