"""The calls demo data: the lifecycle's end state, recusal, isolation, idempotence."""

import datetime

import pytest
from django.utils import timezone

from tpj.calls import demo
from tpj.calls.models import Application, Call, Campaign, ScoreSheet
from tpj.core.policy import check
from tpj.demo import services as demo_services

pytestmark = pytest.mark.django_db


def _accounts():
    for row in demo_services.ORGANISATIONS:
        demo_services._organisation(*row)
    return {spec.email: demo_services._account(spec) for spec in demo_services.ACCOUNTS}


def test_demo_is_idempotent_and_tells_the_story():
    accounts = _accounts()
    demo.load(accounts)
    counts = (Call.objects.count(), Application.objects.count(), ScoreSheet.objects.count())
    demo.load(accounts)
    assert (Call.objects.count(), Application.objects.count(), ScoreSheet.objects.count()) == counts

    transmitted = Call.objects.get(campaign__year=2021, region_id="53")
    assert transmitted.state == Call.State.TRANSMITTED and transmitted.state_endowment() == 200000
    assert Application.objects.public_laureates().count() == 2
    reseau = accounts["jury.reseau@demo.1000jours.fr"]
    recused = ScoreSheet.objects.get(member__user=reseau, member__call=transmitted, auto_recused=True)
    assert "Saint-Brieuc" in str(recused.application.organisation)
    assert not check(reseau, "calls.view_scores", recused.application)

    open_call = Call.objects.exclude(pk=transmitted.pk).get(region_id="53")
    assert open_call.state == Call.State.PUBLISHED and open_call.applications_open
    occitanie = accounts["ars.occitanie@demo.1000jours.fr"]
    assert Application.objects.visible_to(occitanie).exists()
    assert not Application.objects.visible_to(occitanie).filter(call__region_id="53").exists()
    assert not check(occitanie, "calls.manage_call", open_call)
    assert Application.objects.visible_to(accounts["ars.bretagne@demo.1000jours.fr"]).filter(call__region_id="76").count() == 0


@pytest.mark.parametrize("day", [(1, 1), (5, 15), (8, 31), (12, 3)], ids=["1-janvier", "15-mai", "31-aout", "3-decembre"])
def test_the_demo_calendar_is_coherent_whatever_the_day_of_the_load(monkeypatch, day):
    real_now = timezone.now
    year = timezone.localdate().year
    target = timezone.make_aware(datetime.datetime(year, *day, 9, 30))
    shift = target - real_now()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)
    assert timezone.localdate() == datetime.date(year, *day)

    demo.load(_accounts())

    for campaign in Campaign.objects.all():
        campaign.full_clean()  # intent < laureates < transmission < projects' start
        for d in campaign.declarations.all():
            assert not d.is_late, f"{d} declared after its deadline"
        for call in campaign.calls.all():
            deadline = timezone.localtime(call.applications_deadline).date()
            dates = [
                call.publication_date,
                deadline,
                call.jury_date,
                call.laureates_date,
                campaign.laureates_deadline,
                campaign.transmission_deadline,
            ]
            assert all(dates) and dates == sorted(dates) and len(set(dates[:4])) == 4, f"{call}: {dates}"
            assert deadline < campaign.laureates_deadline
            assert call.projects_start_date <= campaign.projects_start_deadline
            assert call.calendar_warnings() == [], call
            if call.transmitted_at:
                assert timezone.localdate(call.transmitted_at) <= campaign.transmission_deadline
    current = Campaign.objects.get(year=year)
    assert current.calls.count() == 2 and all(c.applications_open for c in current.calls.all())
