"""Who before when before what: a transition asks the policy (403), then the state (400),
then the inputs (400).

Regression tests of the permission matrix's known defect: users who may SEE an application
but not ACT on it (the carrier on an instruction action, a manager on the carrier's
actions, the national team on any) got 400 « Action … impossible : l'état actuel est … »
or a validation error instead of 403. (Managers of another région, who may not even see
it, are covered by test_api_scope_before_state.py.)
"""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import user_with_role
from tests.registry.factories import EntryFactory
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.calls.models import Application, Call
from tpj.calls.services.decisions import decide
from tpj.calls.services.instruction import declare_eligible, request_information
from tpj.calls.workflows import APPLICATION_WORKFLOW, CALL_WORKFLOW
from tpj.core import policy
from tpj.registry.models import Entry
from tpj.registry.models import State as EntryState
from tpj.registry.services import moderation as registry_services
from tpj.registry.workflow import ENTRY_WORKFLOW

from .factories import applicant, close, make_call, manager, submitted_application

pytestmark = pytest.mark.django_db

INSTRUCTION = ["request-info", "declare-eligible", "declare-ineligible"]
CARRIER = ["submit", "answer-info", "withdraw"]


def _post(api_client, user, app, action, data=None):
    api_client.force_authenticate(user)
    return api_client.post(f"/api/v1/applications/{app.pk}/{action}/", data if data is not None else {}, format="json")


def _assert_refused_without_the_state(response, app):
    assert response.status_code == 403, response.json()
    body = str(response.json())
    assert "état actuel" not in body and "impossible" not in body
    assert not any(label in body for label in Application.State.labels)
    assert Application.objects.get(pk=app.pk).state == Application.State.SUBMITTED


@pytest.mark.parametrize("data", [{}, {"reason": "Pièce manquante"}], ids=["empty", "with-reason"])
@pytest.mark.parametrize("action", INSTRUCTION)
def test_the_carrier_gets_403_on_an_instruction_action(api_client, action, data):
    app = submitted_application(make_call(region="53"))
    _assert_refused_without_the_state(_post(api_client, app.created_by, app, action, data), app)


@pytest.mark.parametrize("action", INSTRUCTION + CARRIER)
def test_the_national_team_sees_but_gets_403_on_every_action(api_client, action):
    app = submitted_application(make_call(region="53"))
    national = user_with_role(Role.NATIONAL_TEAM)
    api_client.force_authenticate(national)
    assert api_client.get(f"/api/v1/applications/{app.pk}/").status_code == 200  # it may see it
    _assert_refused_without_the_state(_post(api_client, national, app, action), app)


@pytest.mark.parametrize("action", CARRIER)
def test_the_call_manager_gets_403_on_the_carrier_actions(api_client, action):
    call = make_call(region="53")
    app = submitted_application(call)
    _assert_refused_without_the_state(_post(api_client, call.manager, app, action, {"reason": "Réponse"}), app)


def test_the_owner_replaying_a_submission_gets_400_naming_the_state_and_the_attempt_is_logged(api_client):
    call = make_call(region="53")
    app = submitted_application(call)
    reference = app.reference
    replay = _post(api_client, app.created_by, app, "submit")
    assert replay.status_code == 400
    assert replay.json() == {
        "non_field_errors": ["Action « Déposer la candidature » impossible : l'état actuel est « Déposée — en instruction »."]
    }
    app.refresh_from_db()
    assert (app.state, app.reference) == (Application.State.SUBMITTED, reference)
    # The API rolled its transaction back (400): the refused attempt is written after it.
    refused = AuditEvent.objects.for_object(app).get(action="calls.application.submit.refused")
    assert (refused.actor, refused.from_state, refused.to_state) == (app.created_by, "submitted", "")


def test_the_manager_learns_the_state_before_a_missing_question():
    """Policy, then state, then inputs: an empty question is refused for the carrier by the
    policy, on an eligible application for its state, and only then for being empty."""
    call = make_call(region="53")
    app, other = submitted_application(call), submitted_application(call, title="Autre projet")
    close(call)
    app = declare_eligible(app, call.manager)
    with pytest.raises(policy.PermissionDenied):
        request_information(app, app.created_by, "")
    with pytest.raises(ValidationError, match="impossible : l'état actuel est « Recevable"):
        request_information(app, call.manager, "")
    with pytest.raises(ValidationError) as error:
        request_information(other, call.manager, "")
    assert error.value.message_dict == {"question": ["Rédigez la demande de complément."]}


def test_a_decision_outside_the_decision_period_is_a_french_400_not_a_403():
    call = make_call(region="53")
    app = submitted_application(call)
    close(call)
    app = declare_eligible(app, call.manager)
    Call.objects.filter(pk=call.pk).update(state=Call.State.LAUREATES_DECIDED)
    with pytest.raises(ValidationError, match="Les décisions se prennent une fois les candidatures closes"):
        decide(app, call.manager, "rejected", "Hors sujet")
    with pytest.raises(policy.PermissionDenied):
        decide(app, manager("ARS", "76"), "rejected", "Hors sujet")
    assert Application.objects.get(pk=app.pk).state == Application.State.ELIGIBLE


def test_registry_submit_asks_the_policy_before_listing_what_is_missing(api_client):
    member = user_with_role(Role.MODERATOR, departements=["35"])
    entry = EntryFactory(state=EntryState.DRAFT, setup__priorities=(), setup__situation=False, setup__members=[member])
    moderator = user_with_role(Role.MODERATOR, departements=["35"])
    with pytest.raises(policy.PermissionDenied):
        registry_services.submit(entry, moderator)
    api_client.force_authenticate(moderator)  # may see the draft (it moderates 35), is not a member
    response = api_client.post(f"/api/v1/entries/{entry.pk}/submit/", {}, format="json")
    assert response.status_code == 403 and "priorité" not in str(response.json())
    api_client.force_authenticate(member)
    response = api_client.post(f"/api/v1/entries/{entry.pk}/submit/", {}, format="json")
    assert response.status_code == 400 and "priorité" in str(response.json())
    assert Entry.objects.get(pk=entry.pk).state == EntryState.DRAFT


# -- the design rule itself ------------------------------------------------------------
def _people(call, app, entry):
    return [
        app.created_by,
        call.manager,
        manager("ARS", "76"),
        user_with_role(Role.NATIONAL_TEAM),
        user_with_role(Role.ADMINISTRATOR),
        applicant(),
        user_with_role(Role.MODERATOR, departements=["35"]),
        *entry.members.all(),
    ]


def test_no_transition_rule_depends_on_the_state():
    """For every transition of every workflow and every kind of user, the policy's answer
    is the same in every state: the state is the workflow's answer, never the policy's."""
    call = make_call(region="53")
    app = submitted_application(call)
    entry = EntryFactory(state=EntryState.SUBMITTED, setup__members=[applicant()])
    cases = [
        (CALL_WORKFLOW, call, Call.State),
        (APPLICATION_WORKFLOW, app, Application.State),
        (ENTRY_WORKFLOW, entry, EntryState),
    ]
    varying = []
    for workflow, obj, states in cases:
        original = getattr(obj, workflow.state_field)
        for transition in workflow.transitions:
            for user in _people(call, app, entry):
                answers = set()
                for state in states.values:
                    setattr(obj, workflow.state_field, state)
                    answers.add(bool(policy.check(user, transition.action, obj)))
                if len(answers) > 1:
                    varying.append(f"{workflow.name}.{transition.name} ({transition.action}) for {user.email}")
        setattr(obj, workflow.state_field, original)
    assert not varying, "Policy rules of transitions that read the state:\n" + "\n".join(varying)
