from django.views.generic import ListView, View

from tpj.core.views_mixins import PolicyRequiredMixin

from .exports import audit_csv_response
from .models import AuditEvent


class AuditLogView(PolicyRequiredMixin, ListView):
    policy_action = "audit.view_log"
    template_name = "audit/log.html"
    paginate_by = 50

    def get_queryset(self):
        events = AuditEvent.objects.all()
        if action := self.request.GET.get("action"):
            events = events.filter(action__startswith=action)
        return events


class AuditLogExportView(PolicyRequiredMixin, View):
    policy_action = "audit.view_log"

    def get(self, request):
        return audit_csv_response(AuditEvent.objects.all())
