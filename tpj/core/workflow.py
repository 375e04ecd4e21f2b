"""State machines declared as data.

A `Workflow` lists the states of a model field and the transitions between them, each
naming the policy action that decides who may fire it. `Workflow.fire` is the only way a
state changes: it locks the row, then asks, in this order,

1. the policy: may this user (role, territory, ownership) fire this transition on this
   object? The rules do not look at the object's state, so that someone who may not act
   is refused (403) without learning the state;
2. the workflow: does the current state allow the transition? A refusal (400, French
   message naming the state) is recorded in the audit log (`<workflow>.<transition>.refused`),
   since it is someone's attempt, typically a second moderator arriving after the first;
3. the inputs (a required reason), then the transition's own `guards` (business checks
   declared with it, asked in order: the first that finds problems refuses with them);

sets the new state and the transition's `stamps` (fields saved with it), saves, records the
transition in the audit log (who, when, from, to, why), then runs its `effects` and tells
the recipients it `notifies`, inside the same transaction (mail is written to the outbox and
sent once it commits, so a rollback sends nothing).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction

from tpj.audit.models import REFUSED_SUFFIX
from tpj.audit.services import record, record_refusal
from tpj.core import policy
from tpj.notifications import kinds
from tpj.notifications.services import notify_transition


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    # Policy action checked against (user, obj) before the state: it must not depend on the state.
    action: str
    requires_reason: bool = False
    # Business checks, after the policy, the state and the inputs: fn(obj) returns the French
    # problems that forbid the transition (empty when none). Asked in order; the first that
    # finds problems refuses the transition with them (a missing deadline before missing fields).
    guards: tuple[Callable, ...] = ()
    # Fields the transition sets, saved with the new state (dates, references): fn(obj, firing).
    stamps: tuple[Callable, ...] = ()
    # Side effects once the new state is saved and recorded, in the same transaction: fn(obj, firing).
    effects: tuple[Callable, ...] = ()
    # Who is told, after the effects, in the same transaction (tpj.notifications.recipients):
    # a tuple of `Recipients`, or `NOBODY`. None means undeclared, which a test refuses.
    notifies: tuple | None = None
    # An action that cannot be undone: what the person must know before firing it (French),
    # a text or fn(obj) returning one. The pages ask for confirmation (a DSFR modal, or a
    # confirmation step without JavaScript: templates/core/_confirm_transition.html) and the
    # views refuse a POST without `confirm=1` (tpj.core.confirm). None: fired in one click.
    confirm: str | Callable | None = None

    def confirmation(self, obj) -> str:
        """What cannot be undone when firing this transition on `obj` ("" when it can be)."""
        return self.confirm(obj) if callable(self.confirm) else (self.confirm or "")


@dataclass(frozen=True)
class Firing:
    """What guards, stamps and effects know of the transition being fired."""

    transition: Transition
    user: object
    reason: str
    source: str


class TransitionRefused(ValidationError):
    """The object's current state does not allow the transition (a French message)."""


# Every workflow, by name, as each registers itself when its module is imported (all of the
# apps' once they are loaded): what the declarations' test and the documentation go through.
# A workflow's name starts with its app's label ("registry.review", "calls.application").
_WORKFLOWS: dict[str, "Workflow"] = {}


def all_workflows() -> list["Workflow"]:
    """The platform's declared workflows, by name: those named after one of its apps (a test's
    throwaway workflow, named after none, stays out of the declarations, labels and documentation)."""
    labels = {config.label for config in apps.get_app_configs() if config.name.startswith("tpj.")}
    return [_WORKFLOWS[name] for name in sorted(_WORKFLOWS) if name.split(".")[0] in labels]


@dataclass
class Workflow:
    name: str
    state_field: str
    transitions: list[Transition] = field(default_factory=list)
    group: str = ""  # French, the module, for the notification preferences ("Annuaire")

    def __post_init__(self):
        self._by_name = {t.name: t for t in self.transitions}
        _WORKFLOWS[self.name] = self  # (a throwaway workflow of a test, built again, replaces itself)
        for transition in self.transitions:
            if transition.notifies:
                kinds.register(f"{self.name}.{transition.name}", transition.label, group=self.group)

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValidationError(f"Action inconnue : « {name} ».") from None

    def available(self, obj, user) -> list[Transition]:
        """Transitions `user` may fire now on `obj` (allowed by the policy and by the current state)."""
        state = getattr(obj, self.state_field)
        return [t for t in self.transitions if state in t.sources and policy.check(user, t.action, obj)]

    def refusal(self, obj, transition: Transition, state=None) -> str:
        """Why the state of `obj` (or `state`) does not allow `transition` ("" when it does)."""
        state = getattr(obj, self.state_field) if state is None else state
        if state in transition.sources:
            return ""
        choices = obj._meta.get_field(self.state_field).choices
        current = dict(choices).get(state, state) if choices else state
        return f"Action « {transition.label} » impossible : l'état actuel est « {current} »."

    def check(self, obj, name: str, user) -> Transition:
        """The policy, then the stored state (without locking the row).

        For services that validate their own inputs before firing: they refuse a user who
        may not act (403) and a state that does not allow the transition (400, recorded)
        before pointing at a missing field. `fire` checks both again on the locked row.
        """
        transition = self.get(name)
        policy.require(user, transition.action, obj)
        state = type(obj).objects.filter(pk=obj.pk).values_list(self.state_field, flat=True).first()
        if message := self.refusal(obj, transition, state):
            self._record_refusal(obj, transition, user, message, state)
            raise TransitionRefused(message)
        return transition

    def fire(self, obj, name: str, user, reason: str = "", on_fire=None):
        """Fire transition `name` on `obj` as `user`; return the refreshed object.

        The transition's guards, stamps and effects run as described in the module's
        docstring. `on_fire(locked_obj)` runs inside the transaction after the stamps and
        before the save, for what depends on this call's own inputs (amounts, snapshots).
        Raises `policy.PermissionDenied` when the user may not, then `TransitionRefused`
        (a `ValidationError`, French message) when the state does not allow it, then
        `ValidationError` when a reason is missing or a guard finds problems.
        """
        transition = self.get(name)
        reason = (reason or "").strip()
        refused = None
        with transaction.atomic():
            locked = type(obj).objects.select_for_update().get(pk=obj.pk)
            policy.require(user, transition.action, locked)
            source = getattr(locked, self.state_field)
            if message := self.refusal(locked, transition):
                refused = (locked, message)
            else:
                if transition.requires_reason and not reason:
                    raise ValidationError({"reason": "Indiquez un motif : il sera communiqué à l'intéressé."})
                firing = Firing(transition=transition, user=user, reason=reason, source=source)
                for guard in transition.guards:
                    if problems := list(guard(locked)):
                        raise ValidationError(problems)
                setattr(locked, self.state_field, transition.target)
                for stamp in transition.stamps:
                    stamp(locked, firing)
                if on_fire:
                    on_fire(locked)
                locked.save()
                record(
                    actor=user,
                    obj=locked,
                    action=f"{self.name}.{transition.name}",
                    from_state=source,
                    to_state=transition.target,
                    reason=reason,
                )
                for effect in transition.effects:
                    effect(locked, firing)
                notify_transition(self, transition, locked, firing)
        if refused:
            # After the atomic block, so that its rollback does not take the record with it.
            locked, message = refused
            self._record_refusal(locked, transition, user, message)
            raise TransitionRefused(message)
        return locked

    def _record_refusal(self, obj, transition: Transition, user, message: str, state=None):
        record_refusal(
            actor=user,
            obj=obj,
            action=f"{self.name}.{transition.name}{REFUSED_SUFFIX}",
            from_state=getattr(obj, self.state_field) if state is None else state,
            reason=message,
        )
