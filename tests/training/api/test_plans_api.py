"""Journey 4 through the API: a signed-in professional keeps training plans (create, rename,
delete, add an offer with who should go and a note); each plan is its owner's alone, a 404
for anyone else."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.training.factories import OfferFactory, SessionFactory, published_offer
from tpj.audit.models import AuditEvent
from tpj.training.models import OfferState, PlanItem, TrainingPlan

pytestmark = pytest.mark.django_db

URL = "/api/v1/training/plans/"


@pytest.fixture
def director(db):
    return UserFactory(email="directrice@creche.example.fr")


@pytest.fixture
def plan(director):
    return TrainingPlan.objects.create(owner=director, name="Équipe des Lutins — 2027")


def test_a_professional_creates_renames_lists_and_deletes_plans_audited(api_client, director):
    api_client.force_authenticate(director)
    created = api_client.post(URL, {"nom": "Équipe du relais — 2027"}, format="json")
    assert created.status_code == 201, created.content
    plan = TrainingPlan.objects.get(pk=created.json()["id"])
    assert plan.owner == director and created.json()["offres"] == []
    renamed = api_client.patch(f"{URL}{plan.pk}/", {"nom": "Équipe du relais — 2028"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["nom"] == "Équipe du relais — 2028"
    assert [row["id"] for row in api_client.get(URL).json()["results"]] == [plan.pk]
    assert api_client.delete(f"{URL}{plan.pk}/").status_code == 204
    assert not TrainingPlan.objects.exists()
    actions = set(AuditEvent.objects.filter(actor=director).values_list("action", flat=True))
    assert {"training.plan.create", "training.plan.rename", "training.plan.delete"} <= actions


@pytest.mark.parametrize(("name", "message"), [("", "Donnez un nom au plan."), ("x" * 201, "200 caractères")])
def test_a_bad_name_is_refused_in_french(api_client, director, plan, name, message):
    api_client.force_authenticate(director)
    response = api_client.post(URL, {"nom": name}, format="json")
    assert response.status_code == 400 and message in str(response.json()["nom"])
    renamed = api_client.patch(f"{URL}{plan.pk}/", {"nom": name}, format="json")
    assert renamed.status_code == 400 and message in str(renamed.json()["nom"])
    assert list(TrainingPlan.objects.values_list("name", flat=True)) == ["Équipe des Lutins — 2027"]


def test_an_offer_is_added_with_who_should_go_and_a_note(api_client, director, plan):
    offer = published_offer()
    session = offer.sessions.get()
    api_client.force_authenticate(director)
    body = {"offre": offer.pk, "session": session.pk, "qui": "Aline, Samir", "note": "Avant l'été"}
    response = api_client.post(f"{URL}{plan.pk}/items/", body, format="json")
    assert response.status_code == 201, response.content
    item = PlanItem.objects.get(plan=plan)
    assert (item.offer, item.session, item.attendees, item.note) == (offer, session, "Aline, Samir", "Avant l'été")
    again = api_client.post(f"{URL}{plan.pk}/items/", {"offre": offer.pk, "note": "Urgent"}, format="json")
    assert again.status_code == 200 and PlanItem.objects.filter(plan=plan).count() == 1
    item.refresh_from_db()
    assert (item.note, item.attendees, item.session) == ("Urgent", "Aline, Samir", session)
    assert AuditEvent.objects.for_object(plan).filter(action="training.plan.add").count() == 1


def test_an_item_is_edited_and_removed(api_client, director, plan):
    offer = published_offer()
    item = PlanItem.objects.create(plan=plan, offer=offer, note="Ancienne note")
    api_client.force_authenticate(director)
    response = api_client.patch(f"{URL}{plan.pk}/items/{item.pk}/", {"qui": "Toute l'équipe"}, format="json")
    assert response.status_code == 200 and response.json()["qui"] == "Toute l'équipe"
    item.refresh_from_db()
    assert (item.attendees, item.note) == ("Toute l'équipe", "Ancienne note")
    too_long = api_client.patch(f"{URL}{plan.pk}/items/{item.pk}/", {"note": "x" * 2001}, format="json")
    assert too_long.status_code == 400 and "2000" in str(too_long.json()["note"]).replace("\u202f", "").replace(" ", "")
    assert api_client.delete(f"{URL}{plan.pk}/items/{item.pk}/").status_code == 204
    assert not PlanItem.objects.exists()
    assert AuditEvent.objects.for_object(plan).filter(action="training.plan.remove").exists()


def test_bad_additions_are_refused_in_french_and_nothing_saved(api_client, director, plan):
    draft = OfferFactory(state=OfferState.DRAFT)
    offer = published_offer()
    foreign_session = SessionFactory(offer=published_offer())
    past = SessionFactory(
        offer=offer,
        start_date=timezone.localdate() - datetime.timedelta(days=9),
        end_date=timezone.localdate() - datetime.timedelta(days=8),
    )
    api_client.force_authenticate(director)
    unpublished = api_client.post(f"{URL}{plan.pk}/items/", {"offre": draft.pk}, format="json")
    assert unpublished.status_code == 400 and "n'est pas publiée" in str(unpublished.json())
    for session in (foreign_session, past):
        response = api_client.post(f"{URL}{plan.pk}/items/", {"offre": offer.pk, "session": session.pk}, format="json")
        assert response.status_code == 400 and "Choisissez l'une des sessions" in str(response.json()["session"])
    unknown = api_client.post(f"{URL}{plan.pk}/items/", {"offre": 999_999}, format="json")
    assert unknown.status_code == 400 and unknown.json()["offre"] == ["Offre inconnue."]
    assert not PlanItem.objects.exists()


def test_another_persons_plan_is_a_404(api_client, plan):
    item = PlanItem.objects.create(plan=plan, offer=published_offer())
    api_client.force_authenticate(UserFactory())
    assert api_client.get(f"{URL}{plan.pk}/").status_code == 404
    assert api_client.patch(f"{URL}{plan.pk}/", {"nom": "Pris"}, format="json").status_code == 404
    assert api_client.delete(f"{URL}{plan.pk}/").status_code == 404
    assert api_client.post(f"{URL}{plan.pk}/items/", {"offre": item.offer_id}, format="json").status_code == 404
    assert api_client.patch(f"{URL}{plan.pk}/items/{item.pk}/", {"note": "x"}, format="json").status_code == 404
    assert api_client.delete(f"{URL}{plan.pk}/items/{item.pk}/").status_code == 404
    assert api_client.get(URL).json()["results"] == []
    assert TrainingPlan.objects.get(pk=plan.pk).name == "Équipe des Lutins — 2027" and PlanItem.objects.count() == 1
    api_client.logout()
    assert api_client.get(URL).status_code == 401
