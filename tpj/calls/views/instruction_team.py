"""The instruction team's pages: the call's team and checklist (its managers), the bulk and
single assignments, the checklist's ticks (htmx, or a plain form), and « Dossiers à instruire »."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from tpj.core import policy
from tpj.core.text import french_plural
from tpj.core.views_mixins import PolicyRequiredMixin

from ..models import ChecklistItem, Instructor
from ..services import instruction_team as team
from .common import ApplicationMixin, CallMixin, flash_error


def _back(request, default: str) -> str:
    """Where a plain form goes back to: the page it names (`next`, on this site), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class InstructionTeamView(CallMixin, PolicyRequiredMixin, TemplateView):
    """The call's instruction team and checklist, composed by its managers."""

    policy_action = "calls.manage_instruction"
    template_name = "calls/instruction_team.html"

    def get_context_data(self, **kwargs):
        call = self.call
        return {
            "call": call,
            "team": team.team(call),
            "candidates": team.candidates(call),
            "default_items": team.DEFAULT_CHECKLIST,
            "added_items": call.added_checklist_items.all(),
            "to_assign": call.applications.submitted().filter(instruction_assignments__isnull=True).count(),
        }


class InstructionTeamActionView(CallMixin, PolicyRequiredMixin, View):
    """Every POST of the team's page, and the bulk assignment of the applications' list."""

    policy_action = "calls.manage_instruction"

    def post(self, request, pk, name):
        call, user, data = self.call, request.user, request.POST
        handlers = {
            "ajouter": self._add,
            "retirer": lambda: team.remove_instructor(call, user, self._instructor("instructor")),
            "attribuer": self._assign,
            "ajouter-point": lambda: team.add_checklist_item(call, user, data.get("label", "")),
            "retirer-point": lambda: team.remove_checklist_item(
                call, user, get_object_or_404(ChecklistItem, pk=_int(data.get("item")), call=call)
            ),
        }
        if name not in handlers:
            raise Http404
        try:
            done = handlers[name]()
            messages.success(request, done if isinstance(done, str) else "Enregistré.")
        except ValidationError as error:
            flash_error(request, error)
        except policy.PermissionDenied as error:
            messages.error(request, str(error))
        return redirect(_back(request, self._default_back()))

    def _default_back(self):
        return reverse("calls:instruction-team", args=[self.call.pk])

    def _instructor(self, field) -> Instructor:
        value = _int(self.request.POST.get(field))
        if value is None:
            raise ValidationError("Choisissez un instructeur.")
        return get_object_or_404(Instructor, pk=value, call=self.call)

    def _add(self) -> str:
        user_id = _int(self.request.POST.get("user"))
        user = team.candidates(self.call).filter(pk=user_id).first() if user_id else None
        if user is None:
            raise ValidationError("Choisissez un agent de l'ARS ou de la DREETS de l'appel dans la liste.")
        team.add_instructor(self.call, self.request.user, user)
        return f"{user} rejoint l'équipe d'instruction."

    def _assign(self) -> str:
        instructor = self._instructor("instructor")
        n = team.assign(self.call, self.request.user, instructor, self.request.POST.getlist("applications"))
        if not n:
            return f"Ces dossiers étaient déjà attribués à {instructor.user}."
        return f"{n} dossier{french_plural(n)} attribué{french_plural(n)} à {instructor.user}."


class ApplicationInstructionView(ApplicationMixin, PolicyRequiredMixin, View):
    """POSTs of the instruction panel of an application: a checklist tick (htmx gets the
    checklist back), the assignment to an instructor and its removal (the call's managers)."""

    policy_action = "calls.instruct"

    def post(self, request, pk, name):
        app, user = self.application, request.user
        try:
            if name == "cocher":
                team.set_tick(app, user, request.POST.get("label", ""), request.POST.get("ticked") == "1")
                if request.htmx:
                    return render(request, "calls/_checklist.html", {"app": app, "checklist": team.checklist(app)})
            elif name == "attribuer":
                instructor = self._instructor()
                if team.assign(app.call, user, instructor, [app.pk]):
                    messages.success(request, f"Dossier attribué à {instructor.user}.")
                else:
                    messages.info(request, f"Ce dossier était déjà attribué à {instructor.user}.")
            elif name == "retirer":
                instructor = self._instructor()
                team.unassign(app, user, instructor)
                messages.success(request, f"Ce dossier n'est plus attribué à {instructor.user}.")
            else:
                raise Http404
        except ValidationError as error:
            flash_error(request, error)
        except policy.PermissionDenied as error:
            messages.error(request, str(error))
        return redirect(reverse("calls:application-detail", args=[app.pk]) + "#instruction-equipe")

    def _instructor(self) -> Instructor:
        value = _int(self.request.POST.get("instructor"))
        if value is None:
            raise ValidationError("Choisissez un instructeur.")
        return get_object_or_404(Instructor, pk=value, call_id=self.application.call_id)


class MyInstructionView(PolicyRequiredMixin, TemplateView):
    """« Dossiers à instruire »: the files assigned to the user, still in instruction."""

    policy_action = "calls.view_my_instruction"
    template_name = "calls/my_instruction.html"

    def get_context_data(self, **kwargs):
        return {"applications": team.assigned_to(self.request.user)}


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 12 else None
