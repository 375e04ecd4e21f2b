"""The laureates' reports: the call's follow-up (received, late, missing), each report sent or
recorded, its due date moved, its file downloaded."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from tpj.core import policy
from tpj.core.uploads import serve_upload
from tpj.core.views_mixins import PolicyRequiredMixin

from ..forms.follow_up import DateForm
from ..models import Report, ReportKind
from ..services import follow_up
from .common import ApplicationMixin, CallMixin, flash_error


class CallReportsView(CallMixin, PolicyRequiredMixin, TemplateView):
    """A call's reports: each laureate's interim and final report, with its status and the
    counts; its managers set the call's default for the interim report."""

    policy_action = "calls.view_reports"
    template_name = "calls/call_reports.html"

    def get_context_data(self, **kwargs):
        dues = follow_up.report_dues(self.call)
        return {
            "call": self.call,
            "dues": dues,
            "counts": follow_up.report_counts(dues),
            "interim_months": follow_up.interim_months(self.call),
            "can_manage": bool(policy.check(self.request.user, "calls.manage_call", self.call)),
        }

    def post(self, request, pk):
        value = request.POST.get("interim_months", "")
        try:
            if not value.isdigit() or len(value) > 3:
                raise ValidationError("Indiquez un nombre de mois entre 1 et 36.")
            follow_up.set_interim_months(self.call, request.user, int(value))
            messages.success(request, "Échéance par défaut du rapport intermédiaire enregistrée.")
        except ValidationError as error:
            flash_error(request, error)
        except policy.PermissionDenied as error:
            messages.error(request, str(error))
        return redirect("calls:call-reports", pk=pk)


class ReportActionView(ApplicationMixin, PolicyRequiredMixin, View):
    """POST on one report of a laureate: « envoyer » (the file), « echeance » (a manager moves the
    due date), « recu » (a manager records a report received by other means)."""

    policy_action = "calls.follow_up"

    def post(self, request, pk, kind, name):
        if kind not in ReportKind.values:
            raise Http404
        app, user = self.application, request.user
        handlers = {
            "envoyer": lambda: follow_up.submit_report(
                app, user, kind, request.FILES.get("file"), request.POST.get("comment", "")
            ),
            "echeance": lambda: follow_up.set_report_due(app, user, kind, self._date()),
            "recu": lambda: follow_up.record_report_received(app, user, kind, self._date()),
        }
        if name not in handlers:
            raise Http404
        try:
            handlers[name]()
            messages.success(request, "Rapport reçu." if name == "envoyer" else "Enregistré.")
        except ValidationError as error:
            flash_error(request, error)
        except policy.PermissionDenied as error:
            messages.error(request, str(error))
        return redirect(reverse("calls:application-detail", args=[pk]) + "#rapports")

    def _date(self):
        form = DateForm({"date": self.request.POST.get("date")})
        if not form.is_valid():
            raise ValidationError("Indiquez une date valide (jj/mm/aaaa).")
        return form.cleaned_data["date"]


class ReportFileView(PolicyRequiredMixin, View):
    """A report's file, for the project's carrier and the call's managers."""

    policy_action = "calls.follow_up"

    @cached_property
    def report(self):
        return get_object_or_404(Report.objects.select_related("application__call").exclude(file=""), pk=self.kwargs["pk"])

    def get_policy_object(self):
        return self.report.application

    def get(self, request, pk):
        report = self.report
        return serve_upload(report.file, filename=f"{report.get_kind_display()} {report.application.reference}.{_ext(report)}")


def _ext(report) -> str:
    return report.file.name.rsplit(".", 1)[-1]
