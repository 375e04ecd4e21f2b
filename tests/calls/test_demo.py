"""The calls demo data: the lifecycle's end state, recusal, isolation, idempotence."""

import pytest

from tpj.calls import demo
from tpj.calls.models import Application, Call, ScoreSheet
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
