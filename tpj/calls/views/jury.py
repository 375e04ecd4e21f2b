"""Pages of the jury: composition and assignment, ranking, a member's files and score sheet."""

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from tpj.accounts.models import User
from tpj.core import policy
from tpj.core.confirm import confirmation_step
from tpj.core.text import french_plural
from tpj.core.views_mixins import PolicyRequiredMixin

from ..forms.jury import ConflictForm, JuryMemberForm, LateConflictForm, ScoreForm
from ..models import Application, JuryMember, ScoreSheet
from ..models.jury import BEFORE_SCORING, scoring_notice
from ..services.jury import (
    add_jury_member,
    assign,
    declare_conflict,
    means_by_kind,
    save_scores,
    without_jurors,
)
from ..services.renunciations import rank, ranking_history, renunciations
from ..workflow_confirmations import ACTIONS, chosen
from .common import CallMixin, add_errors, flash_error


class JuryView(CallMixin, PolicyRequiredMixin, View):
    policy_action = "calls.manage_jury"
    template = "calls/jury.html"

    def context(self, form=None):
        members = self.call.jury.select_related("user__organisation").annotate(
            n_sheets=Count("sheets"),
            n_recused=Count("sheets", filter=Q(sheets__auto_recused=True) | Q(sheets__has_conflict=True)),
            n_submitted=Count("sheets", filter=Q(sheets__submitted_at__isnull=False)),
        )
        return {
            "call": self.call,
            "members": members,
            "form": form or JuryMemberForm(),
            "pool": self.call.applications.in_instruction_pool().count(),
            "without_jurors": list(without_jurors(self.call)),
            "before_scoring": self.call.state in BEFORE_SCORING,
        }

    def get(self, request, pk):
        return render(request, self.template, self.context())

    def post(self, request, pk):
        if "assign" in request.POST:
            try:
                result = assign(self.call, request.user)
                created, recused = result["created"], result["recused"]
                messages.success(
                    request,
                    f"{created} fiche{french_plural(created)} de notation attribuée{french_plural(created)}, "
                    f"dont {recused} avec récusation d'office.",
                )
            except ValidationError as e:
                flash_error(request, e)
            return redirect("calls:jury", pk=pk)
        form = JuryMemberForm(request.POST)
        if form.is_valid():
            member = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if member is None:
                form.add_error("email", "Aucun compte ne correspond à ce courriel.")
            else:
                try:
                    add_jury_member(self.call, request.user, member, form.cleaned_data["kind"])
                    messages.success(request, f"{member} siège désormais au jury.")
                    return redirect("calls:jury", pk=pk)
                except ValidationError as e:
                    form.add_error("email", e.message_dict.get("member", e.messages))
        return render(request, self.template, self.context(form), status=400)


class RankingView(CallMixin, PolicyRequiredMixin, TemplateView):
    policy_action = "calls.view_ranking"
    template_name = "calls/ranking.html"

    def get_context_data(self, **kwargs):
        # the laureates that withdrew stay at their rank, marked (the ranking is the jury's history)
        renounced = renunciations(self.call)
        page = Paginator(ranking_history(self.call, renounced), 50).get_page(self.request.GET.get("page"))
        return {
            "call": self.call,
            "page_obj": page,
            "rows": ranking_rows(page, renounced),
            "criteria": self.call.criteria.all(),
        }


def format_score(value) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def ranking_rows(page, renounced=None):
    """Ranking rows with their labels computed once in Python (the page renders hundreds of cells);
    `renounced`: {application id: the audit event of its withdrawal as a laureate}."""
    renounced = renounced or {}
    states = dict(Application.State.choices)
    url = reverse("calls:application-detail", args=[0]).removesuffix("0/")
    by_kind = means_by_kind(a.pk for a in page)
    return [
        {
            "rank": rank(page.start_index() + i, a),
            "app": a,
            "url": f"{url}{a.pk}/",
            "renounced_on": timezone.localtime(renounced[a.pk].created_at) if a.pk in renounced else None,
            "mean": format_score(a.mean_score),
            "funders": format_score(by_kind.get(a.pk, {}).get(JuryMember.Kind.FUNDER)),
            "operators": format_score(by_kind.get(a.pk, {}).get(JuryMember.Kind.OPERATOR)),
            "spread": format_score(a.spread),
            "state": states[a.state],
        }
        for i, a in enumerate(page)
    ]


class MyJuryView(PolicyRequiredMixin, TemplateView):
    """The files assigned to the signed-in user as a jury member."""

    policy_action = "calls.view_my_sheets"
    template_name = "calls/my_jury.html"

    def get_context_data(self, **kwargs):
        sheets = (
            ScoreSheet.objects.filter(member__user=self.request.user)
            .select_related("application__call__region", "application__call__campaign")
            .order_by("-application__call__campaign__year", "application__call_id", "application__reference")
        )
        calls = []
        for _, group in groupby(sheets, key=lambda s: s.application.call_id):
            group = list(group)
            call = group[0].application.call
            calls.append({"call": call, "notice": scoring_notice(call), "sheets": group})
        return {"calls": calls}


class SheetView(PolicyRequiredMixin, View):
    """A member's file: conflict declaration first, then the application and the scoring form."""

    policy_action = "calls.declare_conflict"
    template = "calls/sheet.html"

    @cached_property
    def sheet(self):
        return get_object_or_404(
            ScoreSheet.objects.select_related("application__call__region", "application__organisation", "member__user"),
            pk=self.kwargs["pk"],
        )

    def get_policy_object(self):
        return self.sheet

    def context(self, conflict_form=None, score_form=None, late_conflict_form=None, confirm_submit=False):
        sheet = self.sheet
        call = sheet.application.call
        ctx = {
            "sheet": sheet,
            "app": sheet.application,
            "call": call,
            "notice": scoring_notice(call),
            "confirm_submit": confirm_submit,
        }
        if sheet.conflict_declared_at is None or conflict_form is not None:
            ctx["conflict_form"] = conflict_form or ConflictForm()
        elif not sheet.has_conflict:
            app = sheet.application
            ctx.update(
                partners=app.partners.all(),
                places=app.places.all(),
                axes=app.call_axes.all(),
                indicators=app.indicators.all(),
                requests=app.requests.select_related("envelope"),
                budget_lines=app.budget_lines.all(),
                cofinancings=app.cofinancings.select_related("source"),
                attachments=app.attachments.all(),
            )
            initial = {s.criterion_id: (s.value, s.not_applicable) for s in sheet.scores.all()}
            ctx["score_form"] = score_form or ScoreForm(
                criteria=list(app.call.criteria.all()), initial_scores=initial, initial={"comment": sheet.comment}
            )
            decision = policy.check(self.request.user, "calls.score", sheet)
            # the fields are disabled with the reason (and when scoring opens) when it is refused
            ctx["can_score"], ctx["score_refusal"] = bool(decision), decision.reason
            if not sheet.is_locked:
                ctx["late_conflict_form"] = late_conflict_form or LateConflictForm()
        return ctx

    def get(self, request, pk):
        return render(request, self.template, self.context())

    def post(self, request, pk):
        sheet = self.sheet
        late, late_confirmed = chosen(request.POST, "late_conflict", {"1": "declare_late_conflict"})
        if late:
            form = LateConflictForm(request.POST)
            if form.is_valid():
                if not late_confirmed:  # a declared conflict is never withdrawn: confirmed first
                    action = ACTIONS["declare_late_conflict"]
                    return confirmation_step(
                        request,
                        transition=action,
                        text=action.confirmation(),
                        action=request.path,
                        back=request.path,
                        title=f"Dossier {sheet.application.reference}",
                    )
                try:
                    declare_conflict(sheet, request.user, has_conflict=True, note=form.cleaned_data["note"])
                    messages.success(request, "Conflit d'intérêts enregistré : vous ne notez pas ce dossier.")
                    return redirect("calls:sheet", pk=pk)
                except ValidationError as e:
                    add_errors(form, e)
            return render(request, self.template, self.context(late_conflict_form=form), status=400)
        if sheet.conflict_declared_at is None or "has_conflict" in request.POST:
            # (a declaration sent from a page opened before another one was recorded is refused by the service)
            form = ConflictForm(request.POST)
            if form.is_valid():
                try:
                    declare_conflict(
                        sheet, request.user, has_conflict=form.cleaned_data["has_conflict"], note=form.cleaned_data["note"]
                    )
                    return redirect("calls:sheet", pk=pk)
                except ValidationError as e:
                    add_errors(form, e)
            return render(request, self.template, self.context(conflict_form=form), status=400)
        form = ScoreForm(request.POST, criteria=list(sheet.application.call.criteria.all()))
        # « Valider ma notation » locks the sheet for good: only its confirmation (the modal's
        # button, or the confirmation shown without JavaScript) validates; the button alone saves.
        confirmed = request.POST.get("submit") == "confirmed"
        asked = "submit" in request.POST and not confirmed
        if form.is_valid():
            try:
                save_scores(sheet, request.user, form.values(), form.cleaned_data["comment"], submit=confirmed)
                if asked:
                    return render(request, self.template, self.context(score_form=form, confirm_submit=True))
                messages.success(
                    request, "Notation validée et verrouillée." if confirmed else "Notation enregistrée (non validée)."
                )
                return redirect("calls:sheet", pk=pk)
            except ValidationError as e:
                add_errors(form, e)
            except policy.PermissionDenied as e:
                form.add_error(None, str(e))
        return render(request, self.template, self.context(score_form=form), status=400)
