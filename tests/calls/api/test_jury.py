"""The calls API, jury: recused members see and score nothing, scores out of range."""

import pytest

from tests.calls.factories import close, jury_user, make_call, submitted_application
from tests.factories import OrganisationFactory
from tpj.calls.models import JuryMember
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import add_jury_member, assign
from tpj.core.policy import check

pytestmark = pytest.mark.django_db


def _scoring_setup():
    call = make_call()
    reseau = OrganisationFactory(name="Réseau périnatal API")
    partnered = submitted_application(call, partners=[{"name": "Réseau périnatal API", "role": "Co-animation"}])
    close(call)
    declare_eligible(partnered, call.manager)
    funder, operator = jury_user(), jury_user(organisation=reseau)
    add_jury_member(call, call.manager, funder, JuryMember.Kind.FUNDER)
    add_jury_member(call, call.manager, operator, JuryMember.Kind.OPERATOR)
    assign(call, call.manager)
    return call, partnered, funder, operator


def test_recused_member_can_neither_score_nor_see_scores_through_the_api(api_client):
    call, app, funder, operator = _scoring_setup()
    scores = [{"criterion": c.pk, "value": 4} for c in call.criteria.all()]
    api_client.force_authenticate(operator)
    posted = api_client.post(f"/api/v1/applications/{app.pk}/scores/", {"scores": scores, "submit": True}, format="json")
    assert posted.status_code == 403 and "récusé" in posted.json()["detail"]
    assert api_client.get(f"/api/v1/applications/{app.pk}/scores/").status_code == 403
    assert api_client.get(f"/api/v1/applications/{app.pk}/").status_code == 403
    assert api_client.get("/api/v1/applications/").json()["count"] == 0
    assert not app.sheets.filter(member__user=operator, submitted_at__isnull=False).exists()


def test_score_out_of_range_through_the_api(api_client):
    call, app, funder, operator = _scoring_setup()
    api_client.force_authenticate(funder)
    assert (
        api_client.post(
            f"/api/v1/applications/{app.pk}/conflict-declaration/", {"has_conflict": False}, format="json"
        ).status_code
        == 200
    )
    scores = [{"criterion": c.pk, "value": 9} for c in call.criteria.all()]
    response = api_client.post(f"/api/v1/applications/{app.pk}/scores/", {"scores": scores, "submit": True}, format="json")
    assert response.status_code == 400 and "comprise entre 0 et 5" in response.json()["non_field_errors"][0]
    scores = [{"criterion": c.pk, "value": 4} for c in call.criteria.all()]
    scores[-1] = {"criterion": scores[-1]["criterion"], "not_applicable": True}
    ok = api_client.post(f"/api/v1/applications/{app.pk}/scores/", {"scores": scores, "submit": True}, format="json")
    assert ok.status_code == 200 and ok.json()["weighted_score"] == "16.00"
    mine = api_client.get(f"/api/v1/applications/{app.pk}/scores/").json()
    assert mine["count"] == 1
    api_client.force_authenticate(call.manager)
    ranking = api_client.get(f"/api/v1/calls/{call.pk}/ranking/").json()["results"]
    assert ranking[0]["mean_score"] == "16.00" and ranking[0]["recused_count"] == 1 and ranking[0]["rank"] == 1


def test_a_file_not_assigned_to_the_user_is_refused_by_the_policy(api_client):
    call, app, funder, operator = _scoring_setup()
    outsider = jury_user()
    assert not check(outsider, "calls.hold_sheet", None)
    assert check(funder, "calls.hold_sheet", app.sheets.get(member__user=funder))
    assert not check(outsider, "calls.hold_sheet", app.sheets.get(member__user=funder))
    api_client.force_authenticate(outsider)
    declared = api_client.post(f"/api/v1/applications/{app.pk}/conflict-declaration/", {"has_conflict": False}, format="json")
    assert declared.status_code == 403 and declared.json()["detail"] == "Ce dossier ne vous est pas attribué."
    scores = [{"criterion": c.pk, "value": 4} for c in call.criteria.all()]
    posted = api_client.post(f"/api/v1/applications/{app.pk}/scores/", {"scores": scores, "submit": True}, format="json")
    assert posted.status_code == 403 and posted.json()["detail"] == "Ce dossier ne vous est pas attribué."
