"""Funders and operators on the jury: their weighted means apart on the ranking, the decision
kept to the funders (the call's managers), and the files every juror is recused from flagged."""

import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import OrganisationFactory
from tests.workspace.helpers import section
from tpj.accounts.models import Role, RoleAssignment, ScopeLevel
from tpj.calls.models import JuryMember
from tpj.calls.services.decisions import decide
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import (
    add_jury_member,
    assign,
    declare_conflict,
    means_by_kind,
    save_scores,
    set_deliberation_notes,
    without_jurors,
)
from tpj.core.policy import PermissionDenied, check

from .factories import close, jury_user, make_call, submitted_application

pytestmark = pytest.mark.django_db


def _weighted(criteria, values) -> Decimal:
    """The weighted score out of 20, computed here independently: 20 × Σ w·v/max ÷ Σ w."""
    num = sum(Decimal(c.weight) * Decimal(v) / Decimal(c.max_score) for c, v in zip(criteria, values, strict=True))
    return (20 * num / sum(Decimal(c.weight) for c in criteria)).quantize(Decimal("0.01"))


def _scored_call():
    call = make_call()
    app = submitted_application(call)
    close(call)
    declare_eligible(app, call.manager)
    seats = {
        "funder_a": JuryMember.Kind.FUNDER,
        "funder_b": JuryMember.Kind.FUNDER,
        "operator": JuryMember.Kind.OPERATOR,
        "expert": JuryMember.Kind.EXPERT,
    }
    users = {}
    for name, kind in seats.items():
        users[name] = jury_user()
        add_jury_member(call, call.manager, users[name], kind)
    assign(call, call.manager)
    return call, app, users


def _score(call, user, values):
    sheet = user.jury_seats.get().sheets.get()
    declare_conflict(sheet, user, has_conflict=False)
    criteria = list(call.criteria.all())
    save_scores(sheet, user, {c.pk: (v, False) for c, v in zip(criteria, values, strict=True)}, submit=True)


def test_the_ranking_shows_the_funders_and_the_operators_weighted_means_apart(client):
    call, app, users = _scored_call()
    criteria = list(call.criteria.all())
    assert [c.weight for c in criteria] == [2, 2, 1, 1]  # the weights make a plain mean of the notes wrong
    scores = {
        "funder_a": [5, 5, 0, 0],  # 13.33 weighted (a plain mean of the notes would give 10)
        "funder_b": [1, 2, 5, 5],  # 10.67
        "operator": [0, 0, 5, 5],  # 6.67
        "expert": [5, 5, 5, 5],  # 20
    }
    for name, values in scores.items():
        _score(call, users[name], values)
    funders = ((_weighted(criteria, scores["funder_a"]) + _weighted(criteria, scores["funder_b"])) / 2).quantize(Decimal("0.01"))
    operators = _weighted(criteria, scores["operator"])
    assert (funders, operators) == (Decimal("12.00"), Decimal("6.67"))

    means = means_by_kind([app.pk])[app.pk]
    assert means == {"funder": funders, "operator": operators, "expert": Decimal("20.00")}
    app.refresh_from_db()
    assert app.mean_score == Decimal("12.67")  # every member: (13.33 + 10.67 + 6.67 + 20) / 4

    client.force_login(call.manager)
    text = html.unescape(client.get(reverse("calls:ranking", args=[call.pk])).content.decode())
    assert ">Moyenne des financeurs sur 20</span></th>" in text and ">Moyenne des opérateurs sur 20</span></th>" in text
    assert '<td class="num">12,67</td><td class="num">12,00</td><td class="num">6,67</td>' in text


def test_an_application_without_operator_scores_shows_a_dash():
    call, app, users = _scored_call()
    _score(call, users["funder_a"], [5, 5, 5, 5])
    assert means_by_kind([app.pk]) == {app.pk: {"funder": Decimal("20.00")}}


def test_operators_and_other_jurors_score_but_never_decide_the_managers_decide_for_the_funders(client):
    call, app, users = _scored_call()
    operator, funder = users["operator"], users["funder_a"]
    refusal = check(operator, "calls.decide", app)
    assert not refusal and "comme opérateur" in refusal.reason and "la décision revient aux financeurs" in refusal.reason
    with pytest.raises(PermissionDenied, match="comme opérateur"):
        decide(app, operator, "rejected", "Non prioritaire")
    with pytest.raises(PermissionDenied, match="comme opérateur"):
        set_deliberation_notes(app, operator, "Le jury préfère un autre projet.")
    # a funder's representative on the jury (a CAF) scores; the call's managers record the decision
    with pytest.raises(PermissionDenied, match="Les membres du jury notent les dossiers"):
        decide(app, funder, "rejected", "Non prioritaire")
    assert not check(jury_user(), "calls.decide", app)  # a stranger: the plain refusal
    assert check(call.manager, "calls.decide", app) and check(call.co_manager, "calls.decide", app)
    set_deliberation_notes(app, call.manager, "Consensus des financeurs.")
    decide(app, call.co_manager, "waiting_list", "Bon projet, enveloppe insuffisante")
    app.refresh_from_db()
    assert app.state == app.State.WAITING_LIST and app.deliberation_notes == "Consensus des financeurs."

    # through the pages: the operator's deliberation is refused with the reason, nothing saved
    declare_conflict(operator.jury_seats.get().sheets.get(), operator, has_conflict=False)
    client.force_login(operator)
    url = reverse("calls:application-action", args=[app.pk, "deliberation"])
    response = client.post(url, {"notes": "Notre avis"}, follow=True)
    assert response.status_code == 200 and "comme opérateur" in html.unescape(response.content.decode())
    app.refresh_from_db()
    assert app.deliberation_notes == "Consensus des financeurs."


def test_a_manager_of_the_call_sits_on_its_jury_only_as_a_funder():
    call = make_call()
    RoleAssignment.objects.create(user=call.co_manager, role=Role.JURY_MEMBER, scope_level=ScopeLevel.REGION, region_id="53")
    with pytest.raises(ValidationError, match="ne peut siéger au jury que comme financeur"):
        add_jury_member(call, call.manager, call.co_manager, JuryMember.Kind.OPERATOR)
    assert add_jury_member(call, call.manager, call.co_manager, JuryMember.Kind.FUNDER).kind == "funder"


def test_an_application_every_juror_is_recused_from_is_flagged_before_scoring_opens(client):
    call = make_call()
    reseau = OrganisationFactory(name="Réseau périnatal recusé")
    lonely = submitted_application(call, title="Projet sans juré", partners=[{"name": reseau.name, "role": "Formation"}])
    other = submitted_application(call, title="Projet ordinaire")
    for app in (lonely, other):
        declare_eligible(app, call.manager)  # eligible while the call still receives applications
    partner_juror = jury_user(organisation=reseau)  # recused from its network's project
    conflicted = jury_user()
    add_jury_member(call, call.manager, partner_juror, JuryMember.Kind.OPERATOR)
    add_jury_member(call, call.manager, conflicted, JuryMember.Kind.FUNDER)
    assign(call, call.manager)
    declare_conflict(conflicted.jury_seats.get().sheets.get(application=lonely), conflicted, has_conflict=True, note="Ancien élu")

    assert list(without_jurors(call)) == [lonely]
    client.force_login(call.manager)
    text = html.unescape(client.get(reverse("calls:jury", args=[call.pk])).content.decode())
    assert "1 dossier sans juré pour le noter" in text
    assert "Avant l'ouverture de la notation, ajoutez au jury un membre sans lien avec ce projet" in text
    assert f"{lonely.reference} — Projet sans juré" in text and "Projet ordinaire</a>" not in text
    assert f"1 dossier sans juré pour le noter — {call.title}" in section(client.get("/mon-espace/"), "appels")

    # another member seated and the files assigned again: the flag goes
    add_jury_member(call, call.manager, jury_user(), JuryMember.Kind.EXPERT)
    assign(call, call.manager)
    assert not without_jurors(call).exists()
    text = html.unescape(client.get(reverse("calls:jury", args=[call.pk])).content.decode())
    assert "sans juré" not in text
