"""Every POST on an application page (transitions, instruction, follow-up), each through its service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from tpj.core import policy
from tpj.core.confirm import confirmation_step, unconfirmed
from tpj.core.views_mixins import PolicyRequiredMixin

from ..forms.applications import AttachmentForm
from ..forms.follow_up import DateForm, EvaluationForm, IndicatorValueForm
from ..models import Application
from ..services.applications import add_attachment, submit_application, withdraw_application
from ..services.checks import submission_problems
from ..services.follow_up import add_indicator_value, record_evaluation, record_start
from ..services.instruction import answer_information, declare_eligible, declare_ineligible, request_information
from ..services.jury import set_deliberation_notes
from ..workflows import APPLICATION_WORKFLOW
from .common import ApplicationMixin, flash_error


class ApplicationActionView(ApplicationMixin, PolicyRequiredMixin, View):
    """Every POST on an application page: transitions, instruction, follow-up. Each goes to its service."""

    policy_action = "calls.view_application"

    def post(self, request, pk, name):
        app, user, data = self.application, request.user, request.POST
        handlers = {
            "submit": lambda: submit_application(app, user),
            "withdraw": lambda: withdraw_application(app, user, data.get("reason", "")),
            "request_info": lambda: request_information(app, user, data.get("reason", "")),
            "answer_info": lambda: answer_information(app, user, data.get("reason", "")),
            "declare_eligible": lambda: declare_eligible(app, user),
            "declare_ineligible": lambda: declare_ineligible(app, user, data.get("reason", "")),
            "deliberation": lambda: set_deliberation_notes(app, user, data.get("notes", "")),
            "start": lambda: record_start(app, user, self._date("date")),
            "attachment": self._attachment,
            "indicator": self._indicator,
            "evaluation": self._evaluation,
        }
        if name not in handlers:
            raise Http404
        transition, text = self._unconfirmed(name)
        if text:
            return confirmation_step(
                request,
                transition=transition,
                text=text,
                action=request.path,
                back=reverse("calls:application-detail", args=[pk]),
                title=f"{app.reference} — {app.title}" if app.reference else app.title,
            )
        try:
            handlers[name]()
            if name == "submit":
                app.refresh_from_db()
                messages.success(
                    request,
                    f"Candidature déposée. Référence : {app.reference}. Un accusé de réception part à votre adresse e-mail.",
                )
            else:
                messages.success(request, "Enregistré.")
        except ValidationError as e:
            if name == "submit":
                app.refresh_from_db()
                if app.state == Application.State.SUBMITTED:  # a double click: the first submission won
                    messages.info(request, f"Cette candidature est déjà déposée (référence {app.reference}).")
                    return redirect("calls:application-detail", pk=pk)
            flash_error(request, e)
        except policy.PermissionDenied as e:
            messages.error(request, str(e))
        return redirect("calls:application-detail", pk=pk)

    def _unconfirmed(self, name):
        """The irreversible transition `name` and what to confirm before firing it, when this
        person may fire it now and has not confirmed (tpj.core.confirm); otherwise (None, "")."""
        app, user = self.application, self.request.user
        transition = next((t for t in APPLICATION_WORKFLOW.transitions if t.name == name), None)
        if transition is None or APPLICATION_WORKFLOW.refusal(app, transition) or not policy.check(user, transition.action, app):
            return None, ""
        if name == "submit" and (submission_problems(app) or not app.call.applications_open):
            return None, ""  # refused at once, saying what to complete or that the deadline has passed
        return transition, unconfirmed(transition, app, self.request.POST)

    def _date(self, field):
        form = DateForm({"date": self.request.POST.get(field)})
        if not form.is_valid():
            raise ValidationError("Indiquez une date valide (jj/mm/aaaa).")
        return form.cleaned_data["date"]

    def _attachment(self):
        form = AttachmentForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        add_attachment(self.application, self.request.user, form.cleaned_data["label"], form.cleaned_data["file"])

    def _indicator(self):
        form = IndicatorValueForm(self.request.POST, application=self.application)
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        d = form.cleaned_data
        add_indicator_value(d["indicator"], self.request.user, d["measured_on"], d["value"], d["comment"])

    def _evaluation(self):
        form = EvaluationForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        record_evaluation(
            self.application,
            self.request.user,
            form.cleaned_data["final_evaluation"],
            form.cleaned_data["could_become_permanent"],
        )
