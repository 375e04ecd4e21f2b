"""« Mon espace »: what the signed-in person must do now, one section per role they hold."""

from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.notifications.models import Notification

from .sections import build_sections

LATEST_NOTIFICATIONS = 5


class WorkspaceView(PolicyRequiredMixin, TemplateView):
    policy_action = "accounts.view_dashboard"
    template_name = "workspace/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        unread = Notification.objects.for_user(user).unread()
        latest = list(unread.order_by("-created_at", "-pk")[:LATEST_NOTIFICATIONS])
        return {
            **super().get_context_data(**kwargs),
            "assignments": user.role_assignments.filter(is_active=True).select_related("region").prefetch_related("departements"),
            "sections": build_sections(user, timezone.now()),
            "notifications": latest,
            "unread_count": len(latest) if len(latest) < LATEST_NOTIFICATIONS else unread.count(),
            "notifications_url": reverse("notifications:list"),
            # Shortcuts shown by the policy's answer, not by a role read in the template.
            "may_view_audit_log": policy.check(user, "audit.view_log"),
            "may_administer": policy.check(user, "core.administer"),
        }
