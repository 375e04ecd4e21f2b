from rest_framework.permissions import BasePermission

from . import policy


class PolicyPermission(BasePermission):
    """DRF permission asking the policy: the view maps each action to a policy action.

    `policy_actions = {"list": "registry.view", "verify": "registry.moderate", ...}`;
    object-level actions are checked against the object, the others without one.
    """

    def _action(self, view):
        return view.policy_actions.get(getattr(view, "action", None) or view.request.method.lower())

    def has_permission(self, request, view):
        action = self._action(view)
        if action is None:
            return False
        if getattr(view, "detail", False) or action in getattr(view, "object_policy_actions", ()):
            return True  # decided per object
        decision = policy.check(request.user, action)
        if not decision:
            self.message = decision.reason
        return bool(decision)

    def has_object_permission(self, request, view, obj):
        decision = policy.check(request.user, self._action(view), obj)
        if not decision:
            self.message = decision.reason
        return bool(decision)
