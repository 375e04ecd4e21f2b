"""The workflow engine, exercised on a throwaway workflow over Organisation.kind."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import OrganisationFactory, UserFactory, user_with_role
from tpj.accounts.models import Organisation, Role
from tpj.audit.models import AuditEvent
from tpj.core import policy
from tpj.core.workflow import Transition, Workflow

pytestmark = pytest.mark.django_db

KIND = Organisation.Kind
WORKFLOW = Workflow(
    name="test_organisation",
    state_field="kind",
    transitions=[
        Transition("promote", "Reconnaître comme commune", (KIND.ASSOCIATION, KIND.OTHER), KIND.COMMUNE, "tests.promote"),
        Transition("demote", "Déclasser", (KIND.COMMUNE,), KIND.OTHER, "tests.promote", requires_reason=True),
    ],
)


@pytest.fixture(autouse=True)
def _rule(monkeypatch):
    def promote(user, obj=None):
        if user.is_authenticated and user.is_administrator:
            return policy.Decision.allow()
        return policy.Decision.deny("Seul un administrateur peut changer le type d'une organisation.")

    monkeypatch.setitem(policy._RULES, "tests.promote", promote)


def test_firing_a_transition_changes_the_state_and_records_who_when_from_to_why():
    admin = user_with_role(Role.ADMINISTRATOR)
    org = OrganisationFactory(kind=KIND.ASSOCIATION)
    result = WORKFLOW.fire(org, "promote", admin, reason="  Délibération du conseil  ")
    assert result.kind == KIND.COMMUNE
    assert Organisation.objects.get(pk=org.pk).kind == KIND.COMMUNE
    event = AuditEvent.objects.for_object(org).get()
    assert (event.actor, event.action, event.from_state, event.to_state, event.reason) == (
        admin,
        "test_organisation.promote",
        "association",
        "commune",
        "Délibération du conseil",
    )


def test_a_transition_from_the_wrong_state_is_refused_in_french_and_changes_nothing():
    org = OrganisationFactory(kind=KIND.ARS)
    admin = user_with_role(Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as error:
        WORKFLOW.fire(org, "promote", admin)
    assert error.value.messages == ["Action « Reconnaître comme commune » impossible : l'état actuel est « ARS »."]
    assert Organisation.objects.get(pk=org.pk).kind == KIND.ARS
    # Nothing changed, so no transition is logged; the refused attempt is (who tried what, when, why not).
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.from_state, event.to_state, event.reason, event.is_refusal) == (
        admin,
        "test_organisation.promote.refused",
        "ars",
        "",
        error.value.messages[0],
        True,
    )


def test_the_policy_decides_who_may_fire():
    org = OrganisationFactory(kind=KIND.ASSOCIATION)
    with pytest.raises(policy.PermissionDenied, match="Seul un administrateur"):
        WORKFLOW.fire(org, "promote", UserFactory())
    assert Organisation.objects.get(pk=org.pk).kind == KIND.ASSOCIATION
    assert not AuditEvent.objects.exists()


def test_a_transition_requiring_a_reason_refuses_a_blank_one():
    org = OrganisationFactory(kind=KIND.COMMUNE)
    with pytest.raises(ValidationError) as error:
        WORKFLOW.fire(org, "demote", user_with_role(Role.ADMINISTRATOR), reason="   ")
    assert error.value.message_dict == {"reason": ["Indiquez un motif : il sera communiqué à l'intéressé."]}
    assert Organisation.objects.get(pk=org.pk).kind == KIND.COMMUNE


def test_an_unknown_transition_is_refused_in_french():
    with pytest.raises(ValidationError, match="Action inconnue : « fly »."):
        WORKFLOW.fire(OrganisationFactory(), "fly", user_with_role(Role.ADMINISTRATOR))


def test_on_fire_side_effects_are_saved_with_the_transition():
    org = OrganisationFactory(kind=KIND.OTHER, name="Ancien nom")

    def rename(locked):
        locked.name = "Nouveau nom"

    WORKFLOW.fire(org, "promote", user_with_role(Role.ADMINISTRATOR), on_fire=rename)
    org.refresh_from_db()
    assert (org.kind, org.name) == (KIND.COMMUNE, "Nouveau nom")


def test_a_failing_side_effect_rolls_everything_back():
    org = OrganisationFactory(kind=KIND.OTHER)

    def explode(locked):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        WORKFLOW.fire(org, "promote", user_with_role(Role.ADMINISTRATOR), on_fire=explode)
    assert Organisation.objects.get(pk=org.pk).kind == KIND.OTHER
    assert not AuditEvent.objects.exists()


def test_the_state_is_read_from_the_locked_row_not_the_stale_object():
    org = OrganisationFactory(kind=KIND.ASSOCIATION)
    admin = user_with_role(Role.ADMINISTRATOR)
    WORKFLOW.fire(org, "promote", admin)
    # `org` still says "association" in memory; the database says "commune".
    with pytest.raises(ValidationError, match="l'état actuel est « Commune / EPCI »"):
        WORKFLOW.fire(org, "promote", admin)
    assert [(e.action, e.from_state, e.to_state) for e in AuditEvent.objects.order_by("id")] == [
        ("test_organisation.promote", "association", "commune"),
        ("test_organisation.promote.refused", "commune", ""),
    ]


def test_available_lists_what_this_user_may_do_now():
    org = OrganisationFactory(kind=KIND.COMMUNE)
    assert [t.name for t in WORKFLOW.available(org, user_with_role(Role.ADMINISTRATOR))] == ["demote"]
    assert WORKFLOW.available(org, UserFactory()) == []


# -- policy first, then state, then inputs (the reliability suite's "state before policy" defect)
def test_a_user_who_may_not_fire_is_refused_by_the_policy_whatever_the_state():
    """The state is not revealed to someone who may not act, and nothing is logged for them."""
    for kind in (KIND.ASSOCIATION, KIND.ARS, KIND.COMMUNE):
        org = OrganisationFactory(kind=kind)
        with pytest.raises(policy.PermissionDenied, match="Seul un administrateur") as error:
            WORKFLOW.fire(org, "promote", UserFactory())
        assert "état actuel" not in str(error.value)
    assert not AuditEvent.objects.exists()


def test_a_missing_reason_is_reported_after_the_policy_and_the_state():
    org = OrganisationFactory(kind=KIND.COMMUNE)
    with pytest.raises(policy.PermissionDenied):
        WORKFLOW.fire(org, "demote", UserFactory(), reason="")
    with pytest.raises(ValidationError, match="impossible : l'état actuel est « Association »"):
        WORKFLOW.fire(OrganisationFactory(kind=KIND.ASSOCIATION), "demote", user_with_role(Role.ADMINISTRATOR), reason="")


def test_check_asks_the_policy_then_the_stored_state_without_firing():
    admin = user_with_role(Role.ADMINISTRATOR)
    org = OrganisationFactory(kind=KIND.ASSOCIATION)
    assert WORKFLOW.check(org, "promote", admin).name == "promote"
    with pytest.raises(policy.PermissionDenied):
        WORKFLOW.check(org, "promote", UserFactory())
    Organisation.objects.filter(pk=org.pk).update(kind=KIND.COMMUNE)  # `org` in memory is stale
    with pytest.raises(ValidationError, match="l'état actuel est « Commune / EPCI »"):
        WORKFLOW.check(org, "promote", admin)
    assert [(e.action, e.from_state) for e in AuditEvent.objects.all()] == [("test_organisation.promote.refused", "commune")]
    assert Organisation.objects.get(pk=org.pk).kind == KIND.COMMUNE


def test_a_refusal_inside_a_transaction_that_rolls_back_is_still_recorded():
    """The refusal's error rolls back the caller's transaction: the record is held and
    written after it (by the request middleware, or here explicitly)."""
    from django.db import transaction

    from tpj.audit.services import write_held_events

    org = OrganisationFactory(kind=KIND.ARS)
    admin = user_with_role(Role.ADMINISTRATOR)
    with pytest.raises(ValidationError), transaction.atomic():
        WORKFLOW.fire(org, "promote", admin)
    assert not AuditEvent.objects.exists()  # not inside the rolled-back transaction...
    assert write_held_events() == 1  # ...but held, and written once it is over
    assert write_held_events() == 0
    assert AuditEvent.objects.get().action == "test_organisation.promote.refused"


def test_a_refusal_inside_a_transaction_that_commits_is_recorded_on_commit(django_capture_on_commit_callbacks):
    from django.db import transaction

    from tpj.audit.services import write_held_events

    org = OrganisationFactory(kind=KIND.ARS)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), pytest.raises(ValidationError):
        WORKFLOW.fire(org, "promote", user_with_role(Role.ADMINISTRATOR))
    assert write_held_events() == 0  # written once, by the commit
    assert AuditEvent.objects.filter(action="test_organisation.promote.refused").count() == 1


def _declared(**fields) -> Workflow:
    """A one-transition workflow whose transition declares `fields` (guards, stamps, effects)."""
    transition = Transition("promote", "Reconnaître comme commune", (KIND.OTHER,), KIND.COMMUNE, "tests.promote", **fields)
    return Workflow(name="test_declared", state_field="kind", transitions=[transition])


def test_guards_run_after_the_policy_and_the_state_and_the_first_with_problems_refuses():
    seen = []

    def named(locked):
        seen.append(("named", locked.kind))
        return [] if locked.name else ["Donnez un nom à l'organisation."]

    def sited(locked):
        seen.append(("sited", locked.kind))
        return ["Indiquez le SIRET.", "Indiquez la commune."]

    def never(locked):
        seen.append(("never", locked.kind))
        return ["Jamais demandé."]

    workflow = _declared(guards=(named, sited, never))
    org = OrganisationFactory(kind=KIND.OTHER)
    with pytest.raises(policy.PermissionDenied):  # the policy first: the guards are not asked
        workflow.fire(org, "promote", UserFactory())
    assert seen == []
    with pytest.raises(ValidationError) as error:
        workflow.fire(org, "promote", user_with_role(Role.ADMINISTRATOR))
    assert error.value.messages == ["Indiquez le SIRET.", "Indiquez la commune."]
    assert seen == [("named", KIND.OTHER), ("sited", KIND.OTHER)]
    assert Organisation.objects.get(pk=org.pk).kind == KIND.OTHER
    assert not AuditEvent.objects.exists()


def test_a_guard_is_not_asked_when_the_state_refuses():
    asked = []
    workflow = _declared(guards=(lambda locked: asked.append(1) or [],))
    with pytest.raises(ValidationError, match="l'état actuel est « ARS »"):
        workflow.fire(OrganisationFactory(kind=KIND.ARS), "promote", user_with_role(Role.ADMINISTRATOR))
    assert asked == []


def test_stamps_are_saved_with_the_new_state_and_in_the_audit_record():
    def rename(locked, firing):
        locked.name = f"Commune reconnue par {firing.user.email}"

    admin = user_with_role(Role.ADMINISTRATOR)
    org = OrganisationFactory(kind=KIND.OTHER)
    _declared(stamps=(rename,)).fire(org, "promote", admin, reason="Délibération")
    org.refresh_from_db()
    assert (org.kind, org.name) == (KIND.COMMUNE, f"Commune reconnue par {admin.email}")
    assert AuditEvent.objects.for_object(org).get().object_repr == org.name


def test_effects_run_after_the_save_and_the_record_in_the_same_transaction():
    seen = []

    def effect(locked, firing):
        stored = Organisation.objects.get(pk=locked.pk).kind
        seen.append((stored, AuditEvent.objects.for_object(locked).count(), firing.reason, firing.source))

    org = OrganisationFactory(kind=KIND.OTHER)
    _declared(effects=(effect,)).fire(org, "promote", user_with_role(Role.ADMINISTRATOR), reason="Motif")
    assert seen == [(KIND.COMMUNE, 1, "Motif", KIND.OTHER)]


def test_a_failing_effect_rolls_back_the_state_and_its_record():
    def explode(locked, firing):
        raise ValidationError("Le courrier n'a pas pu être préparé.")

    org = OrganisationFactory(kind=KIND.OTHER)
    with pytest.raises(ValidationError, match="Le courrier"):
        _declared(effects=(explode,)).fire(org, "promote", user_with_role(Role.ADMINISTRATOR))
    assert Organisation.objects.get(pk=org.pk).kind == KIND.OTHER
    assert not AuditEvent.objects.exists()
