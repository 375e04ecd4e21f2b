"""A team's training plan names colleagues (« qui doit y aller »): it is its author's personal
data — in their « Mes données » export, and gone with their account, nobody else's touched."""

import pytest

from tests.factories import UserFactory
from tests.training.factories import published_offer
from tpj.privacy import services as privacy
from tpj.training.models import PlanItem, TrainingPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(db):
    author, other = UserFactory(), UserFactory()
    offer = published_offer(title="Éveil au langage des tout-petits")
    mine = TrainingPlan.objects.create(owner=author, name="Plan de la crèche des Lilas")
    PlanItem.objects.create(plan=mine, offer=offer, attendees="Awa Diallo, Jeanne Martin", note="avant l'été")
    theirs = TrainingPlan.objects.create(owner=other, name="Plan du relais petite enfance")
    PlanItem.objects.create(plan=theirs, offer=offer, attendees="Paul Durand")
    return author, other, mine, theirs


def test_the_export_holds_my_plans_and_who_should_go_only(plans):
    author, _other, _mine, _theirs = plans
    data = privacy.export_user_data(author)
    assert [p["name"] for p in data["plans_de_formation"]] == ["Plan de la crèche des Lilas"]
    [item] = data["plans_de_formation"][0]["offres"]
    assert item["attendees"] == "Awa Diallo, Jeanne Martin"
    assert item["note"] == "avant l'été"
    assert "Paul Durand" not in privacy.export_json(author)


def test_deleting_the_account_deletes_its_plans_and_no_one_elses(plans):
    author, _other, _mine, theirs = plans
    privacy.delete_account(author)
    assert list(TrainingPlan.objects.all()) == [theirs]
    assert list(PlanItem.objects.values_list("attendees", flat=True)) == ["Paul Durand"]
