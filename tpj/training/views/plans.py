"""A team's training plans (journey 4): « Mes plans de formation », a plan's page (who should go,
notes, chosen sessions), adding an offer from its page, and the plan's CSV / XLSX export.

Every page is its owner's alone: another person's plan is a 404 (TrainingPlan.objects.owned_by).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from tpj.core.exports import csv_response, xlsx_response
from tpj.core.views_mixins import PolicyRequiredMixin

from ..models import Offer, PlanItem, TrainingPlan
from ..plan_forms import AddToPlanForm, PlanItemForm, PlanNameForm
from ..services import plans as plan_services

_upcoming = plan_services.upcoming_sessions


class PlanMixin(PolicyRequiredMixin):
    policy_action = "training.plans"

    def get_plan(self):
        return get_object_or_404(TrainingPlan.objects.owned_by(self.request.user), pk=self.kwargs["pk"])


class PlanListView(PlanMixin, View):
    def get(self, request, form=None, status=200):
        plans = TrainingPlan.objects.owned_by(request.user).annotate(offer_count=Count("items"))
        return render(request, "training/plans.html", {"plans": plans, "form": form or PlanNameForm()}, status=status)

    def post(self, request):
        form = PlanNameForm(request.POST)
        if form.is_valid():
            try:
                plan = plan_services.create_plan(request.user, form.cleaned_data["name"])
            except ValidationError as error:
                form.add_error("name", error)
            else:
                messages.success(request, f"Plan « {plan.name} » créé : ajoutez-y des offres depuis leur page.")
                return redirect("training:plan", pk=plan.pk)
        return self.get(request, form, status=400)


def item_form(item, data=None):
    return PlanItemForm(data, instance=item, sessions=item.upcoming, prefix=f"offre-{item.pk}")


class PlanDetailView(PlanMixin, View):
    def get(self, request, pk, bound=None, rename=None, status=200):
        plan = self.get_plan()
        items = plan_services.plan_items(plan)
        for item in items:
            item.form = bound if bound is not None and bound.instance.pk == item.pk else item_form(item)
        return render(
            request,
            "training/plan_detail.html",
            {"plan": plan, "items": items, "rename_form": rename or PlanNameForm(initial={"name": plan.name})},
            status=status,
        )


class PlanRenameView(PlanMixin, View):
    def post(self, request, pk):
        plan = self.get_plan()
        form = PlanNameForm(request.POST)
        if form.is_valid():
            try:
                plan_services.rename_plan(request.user, plan, form.cleaned_data["name"])
            except ValidationError as error:
                form.add_error("name", error)
            else:
                messages.success(request, f"Plan renommé « {plan.name} ».")
                return redirect("training:plan", pk=plan.pk)
        return PlanDetailView(request=request, kwargs=self.kwargs).get(request, pk, rename=form, status=400)


class PlanDeleteView(PlanMixin, View):
    def get(self, request, pk):
        plan = self.get_plan()
        return render(request, "training/plan_delete.html", {"plan": plan, "offer_count": plan.items.count()})

    def post(self, request, pk):
        plan = self.get_plan()
        name = plan.name
        plan_services.delete_plan(request.user, plan)
        messages.success(request, f"Plan « {name} » supprimé.")
        return redirect("training:plans")


class PlanItemMixin(PlanMixin):
    def get_item(self):
        item = get_object_or_404(
            PlanItem.objects.filter(plan__in=TrainingPlan.objects.owned_by(self.request.user)).select_related(
                "plan", "offer", "session__commune"
            ),
            pk=self.kwargs["item"],
            plan_id=self.kwargs["pk"],
        )
        item.upcoming = list(_upcoming(item.offer))
        return item


class PlanItemView(PlanItemMixin, View):
    """Who should go, the note and the chosen session of one offer of the plan (htmx or plain form)."""

    def post(self, request, pk, item):
        item = self.get_item()
        form = item_form(item, request.POST)
        saved = False
        if form.is_valid():
            try:
                plan_services.update_item(
                    request.user,
                    item,
                    attendees=form.cleaned_data["attendees"],
                    note=form.cleaned_data["note"],
                    session=form.cleaned_data["session_obj"],
                )
                saved = True
            except ValidationError as error:
                form.add_error(None, error)
        if request.htmx:
            if saved:
                form = item_form(item)
            return render(request, "training/_plan_item_form.html", {"item": item, "form": form, "saved": saved})
        if saved:
            messages.success(request, f"« {item.offer.title} » : enregistré.")
            return redirect(reverse("training:plan", args=[pk]) + f"#offre-{item.pk}")
        return PlanDetailView(request=request, kwargs=self.kwargs).get(request, pk, bound=form, status=400)


class PlanItemRemoveView(PlanItemMixin, View):
    def post(self, request, pk, item):
        item = self.get_item()
        plan_services.remove_item(request.user, item)
        messages.success(request, f"« {item.offer.title} » retirée du plan.")
        return redirect("training:plan", pk=pk)


class PlanExportView(PlanMixin, View):
    formats = ("csv", "xlsx")

    def get(self, request, pk, fmt):
        if fmt not in self.formats:
            raise Http404("Format d'export inconnu.")
        plan = self.get_plan()
        rows = list(plan_services.export_rows(plan))
        filename = f"plan-de-formation-{plan.pk}.{fmt}"
        if fmt == "csv":
            return csv_response(filename, plan_services.EXPORT_HEADER, rows, decimal_comma=True, streaming=False)
        return xlsx_response(filename, plan_services.EXPORT_HEADER, rows, title="Plan de formation")


class AddToPlanView(PlanMixin, View):
    """« Ajouter à un plan de formation » from an offer's page: one of one's plans or a new one."""

    def setup_offer(self):
        self.offer = get_object_or_404(
            Offer.objects.visible_to(self.request.user).select_related("organisation"), pk=self.kwargs["pk"]
        )
        return self.offer

    def form(self, data=None):
        offer = self.offer
        plans = TrainingPlan.objects.owned_by(self.request.user)
        initial = {}
        if self.request.GET.get("session"):
            initial["session"] = self.request.GET["session"]
        return AddToPlanForm(data, plans=plans, sessions=_upcoming(offer), initial=initial)

    def render_form(self, form, status=200):
        return render(self.request, "training/plan_add.html", {"offer": self.offer, "form": form}, status=status)

    def get(self, request, pk):
        self.setup_offer()
        return self.render_form(self.form())

    def post(self, request, pk):
        offer = self.setup_offer()
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    plan = data["plan_obj"] or plan_services.create_plan(request.user, data["new_name"])
                    item, created = plan_services.add_offer(request.user, plan, offer, data["session_obj"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if created:
                    messages.success(request, f"« {offer.title} » ajoutée au plan « {plan.name} ».")
                else:
                    messages.info(request, f"« {offer.title} » figure déjà dans le plan « {plan.name} ».")
                return redirect(reverse("training:plan", args=[plan.pk]) + f"#offre-{item.pk}")
        return self.render_form(form, status=400)
