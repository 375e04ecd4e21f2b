"""Journey 2 through the API: the national team everywhere, a commissaire in its région, verify,
ask changes or reject through the workflow — audited and notified as on the site."""

import pytest

from tests.factories import UserFactory
from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, member_of
from tpj.audit.models import AuditEvent
from tpj.notifications.models import Notification
from tpj.territories.models import Commune
from tpj.training.models import Offer, OfferState
from tpj.training.services.offers import submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/training/moderation/"


def submitted_offer(organisation, member, **kwargs):
    offer = OfferFactory(organisation=organisation, **kwargs)
    SessionFactory(offer=offer)
    return submit(offer, member)


@pytest.fixture
def offer(organisation, member):
    return submitted_offer(organisation, member, title="Éveil au langage")


@pytest.fixture
def toulouse_offer(db):
    toulouse = TrainingOrganisationFactory(commune=Commune.objects.get(insee_code="31555"), activity_number="76310000031")
    return submitted_offer(toulouse, member_of(toulouse), title="Offre de Toulouse")


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_the_queue_is_the_moderators_scope(api_client, offer, toulouse_offer, commissaire_bretagne, national):
    api_client.force_authenticate(commissaire_bretagne)
    assert ids(api_client.get(URL)) == [offer.pk]
    api_client.force_authenticate(national)
    assert set(ids(api_client.get(URL))) == {offer.pk, toulouse_offer.pk}
    assert ids(api_client.get(URL, {"etat": "published"})) == []


def test_the_queue_is_refused_to_who_does_not_moderate(api_client, offer, member):
    api_client.force_authenticate(member)
    response = api_client.get(URL)
    assert response.status_code == 403 and "Réservé à l'équipe nationale" in response.json()["detail"]
    api_client.logout()
    assert api_client.get(URL).status_code == 401


def test_an_unknown_state_is_a_french_400(api_client, commissaire_bretagne):
    api_client.force_authenticate(commissaire_bretagne)
    response = api_client.get(URL, {"etat": "lune"})
    assert response.status_code == 400 and "Valeurs possibles" in str(response.json()["etat"])


def test_the_regions_commissaire_verifies_audited_and_the_members_told(api_client, offer, member, commissaire_bretagne):
    api_client.force_authenticate(commissaire_bretagne)
    response = api_client.post(f"{URL}{offer.pk}/verify/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["etat"] == "published"
    offer.refresh_from_db()
    assert offer.state == OfferState.PUBLISHED and offer.published_at
    event = AuditEvent.objects.for_object(offer).get(action="training.offer.publish")
    assert (event.actor, event.from_state, event.to_state) == (commissaire_bretagne, "submitted", "published")
    assert Notification.objects.filter(kind="training.offer.publish", recipient=member).exists()
    assert api_client.get(f"/api/v1/training/offers/{offer.pk}/").status_code == 200  # in the public catalogue


def test_asking_changes_needs_a_reason(api_client, offer, member, commissaire_bretagne):
    api_client.force_authenticate(commissaire_bretagne)
    response = api_client.post(f"{URL}{offer.pk}/request-changes/", {"motif": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["motif"] == ["Indiquez un motif : il sera communiqué à l'intéressé."]
    assert Offer.objects.get(pk=offer.pk).state == OfferState.SUBMITTED
    response = api_client.post(f"{URL}{offer.pk}/request-changes/", {"motif": "Précisez le programme."}, format="json")
    assert response.status_code == 200 and response.json()["motif_decision"] == "Précisez le programme."
    assert Offer.objects.get(pk=offer.pk).state == OfferState.CHANGES_REQUESTED
    assert Notification.objects.filter(kind="training.offer.request_changes", recipient=member).exists()
    event = AuditEvent.objects.for_object(offer).get(action="training.offer.request_changes")
    assert event.reason == "Précisez le programme."


def test_the_national_team_rejects_with_a_reason_anywhere(api_client, toulouse_offer, national):
    api_client.force_authenticate(national)
    response = api_client.post(f"{URL}{toulouse_offer.pk}/reject/", {"motif": "Hors du plan de formation."}, format="json")
    assert response.status_code == 200
    toulouse_offer.refresh_from_db()
    assert toulouse_offer.state == OfferState.REJECTED and toulouse_offer.decision_reason == "Hors du plan de formation."
    members = toulouse_offer.organisation.members.all()
    assert Notification.objects.filter(kind="training.offer.reject", recipient__in=members).count() == members.count()


def test_a_reason_too_long_is_refused_in_french(api_client, offer, commissaire_bretagne):
    api_client.force_authenticate(commissaire_bretagne)
    response = api_client.post(f"{URL}{offer.pk}/reject/", {"motif": "x" * 2001}, format="json")
    assert response.status_code == 400 and "2000" in str(response.json()["motif"]).replace("\u202f", "").replace(" ", "")
    assert Offer.objects.get(pk=offer.pk).state == OfferState.SUBMITTED


def test_another_regions_commissaire_gets_a_404_and_nothing_changes(api_client, offer, commissaire_occitanie):
    api_client.force_authenticate(commissaire_occitanie)
    assert api_client.get(f"{URL}{offer.pk}/").status_code == 404
    assert api_client.post(f"{URL}{offer.pk}/verify/", {}, format="json").status_code == 404
    assert Offer.objects.get(pk=offer.pk).state == OfferState.SUBMITTED
    assert not AuditEvent.objects.filter(action__startswith="training.offer.publish").exists()


def test_a_member_never_moderates_its_own_offer(api_client, offer, member):
    api_client.force_authenticate(member)
    response = api_client.post(f"{URL}{offer.pk}/verify/", {}, format="json")
    assert response.status_code == 403 and "Cette offre ne relève pas de votre périmètre" in response.json()["detail"]
    assert Offer.objects.get(pk=offer.pk).state == OfferState.SUBMITTED


def test_a_published_offer_is_seen_but_not_moderated_by_others(api_client, organisation, member):
    published = submitted_offer(organisation, member)
    published.state = OfferState.PUBLISHED
    published.save()
    api_client.force_authenticate(UserFactory())
    assert api_client.post(f"{URL}{published.pk}/reject/", {"motif": "Non."}, format="json").status_code == 403


def test_deciding_twice_is_refused_naming_the_state_and_the_refusal_audited(api_client, offer, commissaire_bretagne, national):
    api_client.force_authenticate(commissaire_bretagne)
    assert api_client.post(f"{URL}{offer.pk}/verify/", {}, format="json").status_code == 200
    api_client.force_authenticate(national)
    response = api_client.post(f"{URL}{offer.pk}/reject/", {"motif": "Trop tard."}, format="json")
    assert response.status_code == 400 and "Publiée" in str(response.json())
    assert Offer.objects.get(pk=offer.pk).state == OfferState.PUBLISHED
    assert AuditEvent.objects.filter(action="training.offer.reject.refused", actor=national).exists()
