"""Pages of a call's own form: its questions and required documents (managers), the files an
applicant gives for them, and their download."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.views import View

from tpj.core import policy
from tpj.core.uploads import serve_upload
from tpj.core.views_mixins import PolicyRequiredMixin

from ..forms.questions import AnswerFileForm, filled_rows, question_formsets
from ..models import ApplicationAnswer, Call
from ..services.checks import definition_problems
from ..services.questions import attach_answer_file, save_call_form
from .common import ApplicationMixin, CallMixin, flash_error


class CallQuestionsView(CallMixin, PolicyRequiredMixin, View):
    """The questions and required documents of a call, changed as a whole (no JavaScript needed:
    two blank rows of each after every save)."""

    policy_action = "calls.manage_call"
    template = "calls/questions_form.html"

    def context(self, formsets, problems=()):
        return {
            "call": self.call,
            "published": self.call.state != Call.State.DRAFT,
            "problems": problems,
            **formsets,
        }

    def get(self, request, pk):
        if problems := definition_problems(self.call):
            messages.info(request, problems[0])
            return redirect("calls:call-detail", pk=pk)
        return render(request, self.template, self.context(question_formsets(self.call)))

    def post(self, request, pk):
        formsets = question_formsets(self.call, request.POST)
        if all(f.is_valid() for f in formsets.values()):
            try:
                save_call_form(self.call, request.user, filled_rows(formsets["questions"]), filled_rows(formsets["documents"]))
                messages.success(request, "Questions et documents demandés enregistrés.")
                return redirect("calls:call-questions", pk=pk)
            except ValidationError as error:
                return render(request, self.template, self.context(formsets, error.messages), status=400)
        return render(request, self.template, self.context(formsets), status=400)


class AnswerFileUploadView(ApplicationMixin, PolicyRequiredMixin, View):
    """The carrier gives the file of a file question or a required document."""

    policy_action = "calls.act_as_carrier"

    def post(self, request, pk):
        form = AnswerFileForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ValidationError([m for errors in form.errors.values() for m in errors])
            answer = attach_answer_file(self.application, request.user, form.cleaned_data["item"], form.cleaned_data["file"])
            messages.success(request, f"« {answer.file_name} » déposé.")
        except ValidationError as error:
            flash_error(request, error)
        except policy.PermissionDenied as error:
            messages.error(request, str(error))
        return redirect("calls:application-detail", pk=pk)


class AnswerFileView(PolicyRequiredMixin, View):
    """A file given in answer, to whoever sees the application (its carrier, managers, jurors)."""

    policy_action = "calls.view_application"

    @cached_property
    def answer(self):
        return get_object_or_404(
            ApplicationAnswer.objects.select_related("application__call").exclude(file=""), pk=self.kwargs["pk"]
        )

    def get_policy_object(self):
        return self.answer.application

    def get(self, request, pk):
        return serve_upload(self.answer.file, filename=self.answer.file_name or self.answer.file.name.rsplit("/", 1)[-1])
