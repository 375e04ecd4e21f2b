"""Pages of an application: the draft form (with autosave), the file and its attachments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from tpj.conversations.services import conversation
from tpj.core import policy
from tpj.core.uploads import serve_upload
from tpj.core.views_mixins import PolicyRequiredMixin

from ..forms.applications import (
    ApplicationForm,
    BudgetFormSet,
    CoFinancingFormSet,
    IndicatorFormSet,
    PartnerFormSet,
    build_content,
    initial_from,
)
from ..forms.follow_up import EvaluationForm, IndicatorValueForm
from ..forms.questions import AnswersForm
from ..models import Application, Attachment
from ..services.applications import create_application, update_application
from ..services.checks import eligibility_checks, submission_problems
from ..services.content import ApplicationContent, content_of
from ..services.questions import save_answers
from ..workflows import APPLICATION_WORKFLOW
from .common import ApplicationMixin, CallMixin, add_errors


class ApplicationFormMixin:
    template = "calls/application_form.html"

    def bind(self, call, data=None, initial=None, content=None):
        content = content or ApplicationContent(title="")
        return {
            "form": ApplicationForm(
                data, call=call, initial=initial or {"carrier_siret": getattr(self.request.user.organisation, "siret", "")}
            ),
            "partners": PartnerFormSet(data, prefix="partners", initial=content.partners),
            "budget": BudgetFormSet(data, prefix="budget", initial=content.budget_lines),
            "cofinancing": CoFinancingFormSet(data, prefix="cofinancing", initial=content.cofinancings),
            "indicators": IndicatorFormSet(data, prefix="indicators", initial=content.indicators),
            "questions": AnswersForm(data, call=call, application=getattr(self, "application", None)),
        }

    def content_or_none(self, bound):
        if all(f.is_valid() for f in bound.values()):
            return build_content(bound["form"], bound["partners"], bound["budget"], bound["cofinancing"], bound["indicators"])
        return None


def autosave_response(request, saved: Application | None, bound) -> HttpResponse:
    """htmx fragment telling whether the draft was saved while the user types."""
    errors = []
    for f in bound.values():
        forms_ = f.forms if hasattr(f, "forms") else [f]
        errors += [m for form in forms_ for messages_ in form.errors.values() for m in messages_]
        errors += list(f.non_form_errors()) if hasattr(f, "non_form_errors") else []
    return render(request, "calls/_autosave.html", {"saved": saved, "errors": errors})


class ApplicationCreateView(CallMixin, PolicyRequiredMixin, ApplicationFormMixin, View):
    """First save creates the draft; the form's token makes a replay (double click, autosave) update that same draft."""

    policy_action = "calls.apply"

    def get(self, request, pk):
        return render(request, self.template, {"call": self.call, **self.bind(self.call)})

    def save(self, request, bound, content):
        token = bound["form"].cleaned_data.get("client_token")
        existing = Application.objects.filter(client_token=token, created_by=request.user).first() if token else None
        if existing is not None and existing.is_editable:
            return update_application(existing, request.user, content), False
        app, created = create_application(request.user, self.call, content, token)
        if not created and app.is_editable:  # an autosave created it a moment ago: this content is newer
            app = update_application(app, request.user, content)
        return app, created

    def post(self, request, pk):
        bound = self.bind(self.call, request.POST)
        content = self.content_or_none(bound)
        app = None
        if content is not None:
            try:
                with transaction.atomic():  # the draft and its answers, or nothing
                    app, created = self.save(request, bound, content)
                    if app.is_editable:
                        save_answers(app, request.user, bound["questions"].answers())
            except ValidationError as e:
                app = None
                add_errors(bound["form"], e)
        if request.htmx:
            return autosave_response(request, app, bound)
        if app is not None:
            messages.success(request, "Brouillon enregistré. Complétez-le puis déposez-le avant la date limite.")
            return redirect("calls:application-detail", pk=app.pk)
        return render(request, self.template, {"call": self.call, **bound}, status=400)


class ApplicationEditView(ApplicationMixin, PolicyRequiredMixin, ApplicationFormMixin, View):
    policy_action = "calls.edit_application"

    def get(self, request, pk):
        content = content_of(self.application)
        return render(
            request,
            self.template,
            {
                "call": self.application.call,
                "application": self.application,
                **self.bind(self.application.call, initial=initial_from(content), content=content),
            },
        )

    def post(self, request, pk):
        app = self.application
        bound = self.bind(app.call, request.POST)
        content = self.content_or_none(bound)
        saved = None
        if content is not None:
            try:
                with transaction.atomic():  # the draft and its answers, or nothing
                    saved = update_application(app, request.user, content)
                    save_answers(saved, request.user, bound["questions"].answers())
            except ValidationError as e:
                saved = None
                add_errors(bound["form"], e)
        if request.htmx:
            return autosave_response(request, saved, bound)
        if saved is not None:
            messages.success(request, "Brouillon enregistré.")
            return redirect("calls:application-detail", pk=pk)
        return render(request, self.template, {"call": app.call, "application": app, **bound}, status=400)


class ApplicationDetailView(ApplicationMixin, PolicyRequiredMixin, TemplateView):
    policy_action = "calls.view_application"
    template_name = "calls/application_detail.html"

    def get_context_data(self, **kwargs):
        app, user = self.application, self.request.user
        manager = bool(policy.check(user, "calls.instruct", app))
        carrier = bool(policy.check(user, "calls.act_as_carrier", app))
        ctx = {
            "app": app,
            "call": app.call,
            "is_manager": manager,
            # the call's pages for its managers; an instructor instructs its files from here only
            "manages_call": manager and bool(policy.check(user, "calls.manage_call", app.call)),
            "is_carrier": carrier,
            "partners": app.partners.all(),
            "budget_lines": app.budget_lines.all(),
            "cofinancings": app.cofinancings.select_related("source"),
            "requests": app.requests.select_related("envelope"),
            "indicators": app.indicators.prefetch_related("values"),
            "attachments": app.attachments.all(),
            "info_requests": app.information_requests.all(),
            "places": app.places.select_related("departement"),
            "axes": app.call_axes.all(),
            "transitions": [
                t for t in APPLICATION_WORKFLOW.available(app, user) if t.name in ("submit", "withdraw", "declare_eligible")
            ],
            "problems": submission_problems(app) if carrier and app.state == Application.State.DRAFT else [],
            "follow_up": policy.check(user, "calls.follow_up", app),
            "conversation": conversation(user, "calls.application", app),  # None for a juror
        }
        if manager:
            ctx.update(
                checks=eligibility_checks(app),
                sheets=app.sheets.select_related("member__user__organisation").prefetch_related("scores__criterion"),
            )
        if ctx["follow_up"]:
            ctx.update(
                indicator_form=IndicatorValueForm(application=app),
                evaluation_form=EvaluationForm(
                    initial={"final_evaluation": app.final_evaluation, "could_become_permanent": app.could_become_permanent}
                ),
            )
        return ctx


class AttachmentView(PolicyRequiredMixin, View):
    policy_action = "calls.view_application"

    @cached_property
    def attachment(self):
        return get_object_or_404(Attachment.objects.select_related("application__call"), pk=self.kwargs["pk"])

    def get_policy_object(self):
        return self.attachment.application

    def get(self, request, pk):
        return serve_upload(self.attachment.file, filename=self.attachment.file.name.rsplit("/", 1)[-1])
