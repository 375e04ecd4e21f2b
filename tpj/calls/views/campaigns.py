"""Pages of the national campaigns and the declarations of intent."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from tpj.core.confirm import confirmation_step
from tpj.core.views_mixins import PolicyRequiredMixin

from .. import exports
from ..forms.campaigns import CampaignForm, DeclarationForm
from ..models import Application, Call, Campaign
from ..services.campaigns import (
    agency_declarations,
    current_campaign,
    declaration_board,
    declare_intent,
    save_campaign,
    undeclared_open_campaigns,
)
from ..workflow_confirmations import ACTIONS, confirmed
from .common import add_errors


class CampaignListView(PolicyRequiredMixin, TemplateView):
    policy_action = "calls.view_national"
    template_name = "calls/campaign_list.html"

    def get_context_data(self, **kwargs):
        return {
            "campaigns": Campaign.objects.annotate(n_calls=Count("calls"), n_declarations=Count("declarations", distinct=True))
        }


class CampaignEditView(PolicyRequiredMixin, View):
    policy_action = "calls.manage_campaign"
    template = "calls/campaign_form.html"

    def get_instance(self):
        if "pk" in self.kwargs:
            return get_object_or_404(Campaign, pk=self.kwargs["pk"])
        year = current_campaign().year + 1 if current_campaign() else 2021
        return Campaign(year=year, **Campaign.defaults_for(year))

    def get(self, request, **kwargs):
        return render(request, self.template, {"form": CampaignForm(instance=self.get_instance())})

    def post(self, request, **kwargs):
        form = CampaignForm(request.POST, instance=self.get_instance())
        if form.is_valid():
            try:
                campaign = save_campaign(form.instance, request.user)
                messages.success(request, f"Campagne {campaign.year} enregistrée.")
                return redirect("calls:campaign-board", pk=campaign.pk)
            except ValidationError as e:
                add_errors(form, e)
        return render(request, self.template, {"form": form}, status=400)


class CampaignBoardView(PolicyRequiredMixin, TemplateView):
    """National view: who declared, who is late, which calls exist, which lists were transmitted."""

    policy_action = "calls.view_national"
    template_name = "calls/campaign_board.html"

    def get_context_data(self, **kwargs):
        campaign = get_object_or_404(Campaign, pk=self.kwargs["pk"])
        return {
            "campaign": campaign,
            "rows": declaration_board(campaign),
            "calls": campaign.calls.select_related("region").annotate(
                n_applications=Count(
                    "applications", filter=~Q(applications__state__in=[Application.State.DRAFT, Application.State.WITHDRAWN])
                ),
                n_laureates=Count("applications", filter=Q(applications__state=Application.State.LAUREATE)),
            ),
        }


class CampaignExportView(PolicyRequiredMixin, View):
    policy_action = "calls.view_national"

    def get(self, request, pk, fmt):
        campaign = get_object_or_404(Campaign, pk=pk)
        calls = campaign.calls.visible_to(request.user).filter(state=Call.State.TRANSMITTED)
        if fmt == "xlsx":
            return exports.laureates_xlsx(calls, f"laureats-{campaign.year}.xlsx")
        return exports.laureates_csv(calls, f"laureats-{campaign.year}.csv")


class DeclareIntentView(PolicyRequiredMixin, View):
    """An agency declares for any open campaign it has not declared for yet (the nearest preselected)."""

    policy_action = "calls.declare_intent"
    template = "calls/declaration_form.html"

    def render_form(self, form, declarations, status=200):
        return render(
            self.request,
            self.template,
            {"form": form, "declarations": declarations, "can_declare": form.fields["campaign"].queryset.exists()},
            status=status,
        )

    def get(self, request):
        campaigns = undeclared_open_campaigns(request.user.organisation)
        initial = {"referent_name": request.user.get_full_name(), "referent_email": request.user.email}
        chosen = request.GET.get("campagne", "")
        if chosen.isdigit() and campaigns.filter(pk=chosen).exists():
            initial["campaign"] = int(chosen)
        return self.render_form(
            DeclarationForm(initial=initial, campaigns=campaigns), agency_declarations(request.user.organisation)
        )

    def post(self, request):
        form = DeclarationForm(request.POST, campaigns=undeclared_open_campaigns(request.user.organisation))
        if form.is_valid():
            data = dict(form.cleaned_data)
            campaign = data.pop("campaign")
            if not confirmed(request.POST, "declare_intent"):  # one declaration per campaign: confirmed first
                action = ACTIONS["declare_intent"]
                return confirmation_step(
                    request,
                    transition=action,
                    text=action.confirmation(),
                    action=request.path,
                    back=request.path,
                    title=f"Campagne {campaign.year}",
                )
            try:
                declaration = declare_intent(request.user, campaign, **data)
                messages.success(
                    request,
                    f"Déclaration d'intention pour la campagne {campaign.year} transmise à la DGCS et au SGMCAS."
                    + (
                        " Elle arrive après l'échéance nationale : elle est enregistrée en retard." if declaration.is_late else ""
                    ),
                )
                return redirect("calls:index")
            except ValidationError as e:
                add_errors(form, e)
        return self.render_form(form, agency_declarations(request.user.organisation), status=400)
