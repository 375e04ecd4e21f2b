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
from tpj.core.confirm import confirmation_step
from tpj.core.uploads import serve_upload
from tpj.core.views_mixins import PolicyRequiredMixin

from ..forms.follow_up import DateForm
from ..models import Report, ReportKind
from ..services import follow_up
from ..services.files import validate_attachment
from ..workflow_confirmations import ACTIONS, confirmation_text, confirmed
from .common import ApplicationMixin, CallMixin, flash_error
from .confirm import upload_confirmation_step


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
        if step := self._unconfirmed(kind, name):
            return step
        try:
            handlers[name]()
            messages.success(request, "Rapport reçu." if name == "envoyer" else "Enregistré.")
        except ValidationError as error:
            flash_error(request, error)
        except policy.PermissionDenied as error:
            messages.error(request, str(error))
        return redirect(reverse("calls:application-detail", args=[pk]) + "#rapports")

    def _unconfirmed(self, kind, name):
        """The confirmation step of sending a report or recording its receipt (neither can be
        undone, tpj.calls.workflow_confirmations), when asked without it and it could be done
        (a missing file or date is said at once); None otherwise."""
        request, action = self.request, {"envoyer": "send_report", "recu": "record_report_received"}.get(name)
        if action is None or confirmed(request.POST, action):
            return None
        kind_label = ReportKind(kind).label
        back = reverse("calls:application-detail", args=[self.application.pk]) + "#rapports"
        title = f"{self.application.reference} — {self.application.title}"
        if action == "send_report":
            try:  # a missing or refused file is said at once, before any confirmation
                validate_attachment(request.FILES["file"])
            except (KeyError, ValidationError):
                return None
            return upload_confirmation_step(
                request,
                action=ACTIONS[action],
                text=confirmation_text(action, kind_label),
                url=request.path,
                back=back,
                file_field="file",
                file_label=f"Le {kind_label.lower()}",
                file_hint="PDF, PNG ou JPEG, 10 Mo au plus.",
                accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg",
                title=title,
            )
        if not DateForm({"date": request.POST.get("date")}).is_valid() or not policy.check(
            request.user, "calls.manage_follow_up", self.application
        ):
            return None  # said at once by the service
        text = confirmation_text(action, kind_label)
        return confirmation_step(request, transition=ACTIONS[action], text=text, action=request.path, back=back, title=title)

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
