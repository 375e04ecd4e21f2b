"""Jury: recusal, conflict declarations, scoring and ranking."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories import OrganisationFactory
from tpj.audit.models import AuditEvent
from tpj.calls.models import JuryMember
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import add_jury_member, assign, declare_conflict, ranking, save_scores
from tpj.core.errors import Conflict
from tpj.core.policy import PermissionDenied, check

from .factories import close, jury_user, make_call, submitted_application

pytestmark = pytest.mark.django_db


def _jury_setup():
    call = make_call()
    reseau = OrganisationFactory(name="Réseau périnatal test")
    partnered = submitted_application(call, partners=[{"name": "Réseau périnatal test", "role": "Formation des professionnels"}])
    other = submitted_application(call, title="Autre projet")
    close(call)
    for app in (partnered, other):
        declare_eligible(app, call.manager)
    funder = jury_user()
    operator = jury_user(organisation=reseau)
    add_jury_member(call, call.manager, funder, JuryMember.Kind.FUNDER)
    add_jury_member(call, call.manager, operator, JuryMember.Kind.OPERATOR)
    result = assign(call, call.manager)
    return call, partnered, other, funder, operator, result


def _all(call, value):
    return {c.pk: (value, False) for c in call.criteria.all()}


def test_member_whose_organisation_partners_an_application_is_recused():
    call, partnered, other, funder, operator, result = _jury_setup()
    assert result == {"created": 4, "recused": 1}
    sheet = operator.jury_seats.get().sheets.get(application=partnered)
    assert sheet.auto_recused
    assert not check(operator, "calls.view_application", partnered)
    assert not check(operator, "calls.view_scores", partnered)
    with pytest.raises(PermissionDenied):
        declare_conflict(sheet, operator, has_conflict=False)
    with pytest.raises(PermissionDenied):
        save_scores(sheet, operator, _all(call, 3), submit=True)
    assert AuditEvent.objects.for_object(partnered).filter(action="calls.jury.auto_recused").exists()


def test_members_declare_conflicts_before_seeing_a_file():
    call, partnered, other, funder, operator, _ = _jury_setup()
    sheet = funder.jury_seats.get().sheets.get(application=other)
    assert not check(funder, "calls.view_application", other)
    with pytest.raises(PermissionDenied):
        save_scores(sheet, funder, _all(call, 3))
    declare_conflict(sheet, funder, has_conflict=False)
    assert check(funder, "calls.view_application", other)
    conflicted = operator.jury_seats.get().sheets.get(application=other)
    declare_conflict(conflicted, operator, has_conflict=True, note="Ancienne salariée du porteur")
    assert not check(operator, "calls.view_scores", other)


def test_score_out_of_range_and_sans_objet_and_lock():
    call, partnered, other, funder, operator, _ = _jury_setup()
    sheet = funder.jury_seats.get().sheets.get(application=other)
    declare_conflict(sheet, funder, has_conflict=False)
    criteria = list(call.criteria.all())
    with pytest.raises(ValidationError, match="comprise entre 0 et 5"):
        save_scores(sheet, funder, {**_all(call, 4), criteria[0].pk: (6, False)}, submit=True)
    sheet.refresh_from_db()
    assert sheet.submitted_at is None and not sheet.scores.exists()
    # « sans objet » is not 0: it leaves the criterion out of the weighted mean.
    values = {**_all(call, 5), criteria[-1].pk: (None, True)}
    sheet = save_scores(sheet, funder, values, comment="Très bon projet", submit=True)
    assert sheet.weighted_score == Decimal("20.00")
    # a validated score is final: a second validation (double click) or a change is a conflict (409 in the API)
    with pytest.raises(Conflict, match="validée"):
        save_scores(sheet, funder, _all(call, 1), submit=True)
    sheet.refresh_from_db()
    assert sheet.weighted_score == Decimal("20.00")


def test_a_declared_conflict_is_never_withdrawn():
    call, partnered, other, funder, operator, _ = _jury_setup()
    sheet = operator.jury_seats.get().sheets.get(application=other)
    declare_conflict(sheet, operator, has_conflict=True, note="Ancienne salariée du porteur")
    with pytest.raises(Conflict, match="ne peut pas être retirée"):
        declare_conflict(sheet, operator, has_conflict=False)
    with pytest.raises(Conflict, match="ne peut pas être retirée"):
        declare_conflict(sheet, operator, has_conflict=True, note="Encore")
    sheet.refresh_from_db()
    assert sheet.has_conflict and sheet.conflict_note == "Ancienne salariée du porteur"
    assert not check(operator, "calls.view_application", other)
    assert AuditEvent.objects.for_object(other).filter(action="calls.jury.conflict_declared").count() == 1


def test_a_conflict_discovered_after_declaring_none_is_declared_until_the_scores_are_validated():
    call, partnered, other, funder, operator, _ = _jury_setup()
    sheet = funder.jury_seats.get().sheets.get(application=other)
    declare_conflict(sheet, funder, has_conflict=False)
    with pytest.raises(Conflict, match="déjà enregistrée"):
        declare_conflict(sheet, funder, has_conflict=False)
    save_scores(sheet, funder, _all(call, 4), comment="Brouillon")
    declare_conflict(sheet, funder, has_conflict=True, note="Mon conjoint dirige la structure porteuse")
    sheet.refresh_from_db()
    assert sheet.has_conflict and not sheet.scores.exists() and sheet.comment == ""
    assert not check(funder, "calls.view_application", other)
    with pytest.raises(PermissionDenied):
        save_scores(sheet, funder, _all(call, 4), submit=True)
    # once the scores are validated, the conflict goes to the call's managers instead
    scored = operator.jury_seats.get().sheets.get(application=other)
    declare_conflict(scored, operator, has_conflict=False)
    save_scores(scored, operator, _all(call, 3), submit=True)
    with pytest.raises(Conflict, match="gestionnaires"):
        declare_conflict(scored, operator, has_conflict=True, note="Découvert trop tard")
    scored.refresh_from_db()
    assert not scored.has_conflict and scored.submitted_at is not None


def test_seating_a_member_twice_is_a_conflict():
    call, partnered, other, funder, operator, _ = _jury_setup()
    with pytest.raises(Conflict, match="siège déjà"):
        add_jury_member(call, call.manager, funder, JuryMember.Kind.FUNDER)
    assert call.jury.filter(user=funder).count() == 1


def test_ranking_weighted_mean_spread_count_missing():
    call, partnered, other, funder, operator, _ = _jury_setup()
    for user, app, value in [(funder, other, 5), (operator, other, 3), (funder, partnered, 2)]:
        sheet = user.jury_seats.get().sheets.get(application=app)
        declare_conflict(sheet, user, has_conflict=False)
        save_scores(sheet, user, _all(call, value), submit=True)
    rows = list(ranking(call))
    assert [r.pk for r in rows] == [other.pk, partnered.pk]
    best, second = rows
    assert best.mean_score == Decimal("16") and best.spread == Decimal("8") and best.scores_count == 2 and best.missing_count == 0
    assert second.scores_count == 1 and second.recused_count == 1 and second.missing_count == 0
