"""The demo: a Breton training organisation's offers over the 7 themes, one awaiting the commissaire."""

import html

import pytest
from django.utils import timezone

from tpj.demo import services as demo
from tpj.training.models import Offer, OfferState, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(monkeypatch):
    monkeypatch.setattr(demo, "MODULE_LOADERS", ["tpj.training.demo.load"])
    return demo.load_demo()


def test_the_demo_offers(client, accounts):
    offers = Offer.objects.all()
    assert offers.count() == 7
    assert offers.filter(state=OfferState.PUBLISHED).count() == 6
    assert set(offers.values_list("themes__number", flat=True)) == set(range(1, 8))
    today = timezone.localdate()
    assert Session.objects.filter(end_date__lt=today).exists() and Session.objects.filter(start_date__gt=today).exists()
    client.force_login(accounts["commissaire.bretagne@demo.1000jours.fr"])
    assert "Accueillir les parents : la coéducation au quotidien" in client.get("/formations/moderation/").content.decode()
    client.force_login(accounts["formation@demo.1000jours.fr"])
    assert "7 offres" in client.get("/formations/mes-offres/").content.decode()


def test_loading_the_demo_again_adds_nothing(accounts):
    demo.load_demo()
    assert Offer.objects.count() == 7


def test_the_demo_plan_and_bilans(client, accounts):
    from tpj.training.models import SessionReport, TrainingPlan

    plan = TrainingPlan.objects.get(owner=accounts["pro@demo.1000jours.fr"])
    assert plan.items.count() == 2 and plan.items.filter(session__isnull=False).count() == 1
    today = timezone.localdate()
    ended = Session.objects.filter(end_date__lt=today)
    assert SessionReport.objects.filter(session__in=ended).count() == 1
    assert ended.filter(report__isnull=True).exists()
    client.force_login(accounts["pro@demo.1000jours.fr"])
    page = html.unescape(client.get(f"/formations/plans/{plan.pk}/").content.decode())
    assert "Formations de l'équipe" in page and "Sophie et une collègue" in page
    client.force_login(accounts["formation@demo.1000jours.fr"])
    assert "Déclarer le bilan" in client.get("/formations/mes-offres/").content.decode()
    demo.load_demo()
    assert TrainingPlan.objects.count() == 1 and SessionReport.objects.count() == 1
