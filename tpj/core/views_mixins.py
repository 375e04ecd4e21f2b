from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from . import policy


class PolicyRequiredMixin:
    """Refuse the view unless `policy_action` allows the user on `get_policy_object()`.

    Anonymous visitors are sent to the login page; signed-in users get a 403 page that
    says why.
    """

    policy_action: str = ""

    def get_policy_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        self.request, self.args, self.kwargs = request, args, kwargs
        decision = policy.check(request.user, self.policy_action, self.get_policy_object())
        if not decision:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return render(request, "403.html", {"reason": decision.reason}, status=403)
        return super().dispatch(request, *args, **kwargs)
