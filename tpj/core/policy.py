"""The one place that answers "may this user do this to this object, and why not?".

Each app declares its rules in its own `permissions.py` with `@rule("app.action")`;
views (`PolicyRequiredMixin`) and the API (`PolicyPermission`) both ask `check`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed

    @classmethod
    def allow(cls):
        return cls(True)

    @classmethod
    def deny(cls, reason: str):
        return cls(False, reason)


class PermissionDenied(Exception):
    """Raised by `require`; its message is the French reason shown to the user."""


_RULES = {}


def rule(action: str):
    """Register the function deciding `action`: fn(user, obj) -> Decision."""

    def register(fn):
        if action in _RULES:
            raise ValueError(f"Policy rule {action!r} declared twice")
        _RULES[action] = fn
        return fn

    return register


def actions() -> list[str]:
    return sorted(_RULES)


def check(user, action: str, obj=None) -> Decision:
    try:
        decide = _RULES[action]
    except KeyError:
        raise LookupError(f"No policy rule for {action!r}") from None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        # Anonymous users only get what a rule grants explicitly to everyone.
        decision = decide(user, obj)
        return decision if decision else Decision.deny(decision.reason or "Connectez-vous pour accéder à cette page.")
    return decide(user, obj)


def require(user, action: str, obj=None) -> None:
    decision = check(user, action, obj)
    if not decision:
        raise PermissionDenied(decision.reason or "Vous n'avez pas les droits nécessaires.")
