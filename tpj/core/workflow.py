"""State machines declared as data.

A `Workflow` lists the states of a model field and the transitions between them, each
naming the policy action that decides who may fire it. `Workflow.fire` is the only way a
state changes: it locks the row, checks the source state and the policy, saves, and
records the transition in the audit log (who, when, from, to, why).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from tpj.accounts import policy
from tpj.audit.services import record


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    # Policy action checked against (user, obj) before the transition fires.
    action: str
    requires_reason: bool = False


@dataclass
class Workflow:
    name: str
    state_field: str
    transitions: list[Transition] = field(default_factory=list)

    def __post_init__(self):
        self._by_name = {t.name: t for t in self.transitions}

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValidationError(f"Action inconnue : « {name} ».") from None

    def available(self, obj, user) -> list[Transition]:
        """Transitions `user` may fire now on `obj`."""
        state = getattr(obj, self.state_field)
        return [t for t in self.transitions if state in t.sources and policy.check(user, t.action, obj)]

    def fire(self, obj, name: str, user, reason: str = "", on_fire=None):
        """Fire transition `name` on `obj` as `user`; return the refreshed object.

        `on_fire(locked_obj)` runs inside the transaction before the save, for the
        side effects of a transition (stamps, snapshots). Raises `ValidationError`
        (French message) when the state does not allow it or a reason is missing, and
        `policy.PermissionDenied` when the user may not.
        """
        transition = self.get(name)
        reason = (reason or "").strip()
        if transition.requires_reason and not reason:
            raise ValidationError({"reason": "Indiquez un motif : il sera communiqué à l'intéressé."})
        with transaction.atomic():
            locked = type(obj).objects.select_for_update().get(pk=obj.pk)
            source = getattr(locked, self.state_field)
            if source not in transition.sources:
                label = locked._meta.get_field(self.state_field).choices
                current = dict(label).get(source, source) if label else source
                raise ValidationError(f"Action « {transition.label} » impossible : l'état actuel est « {current} ».")
            policy.require(user, transition.action, locked)
            setattr(locked, self.state_field, transition.target)
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
        return locked
