"""Moderation of the offers: the national team everywhere, a commissaire in its région."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from tpj.audit.models import AuditEvent
from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin

from ..forms import ReasonForm
from ..models import Offer, OfferState
from ..services.offers import moderate
from ..services.organisations import ownership_check
from ..workflow import MODERATION_MOVES, OFFER_WORKFLOW


class ModerationQueueView(PolicyRequiredMixin, TemplateView):
    template_name = "training/moderation_queue.html"
    policy_action = "training.moderation_queue"

    def get_context_data(self, **kwargs):
        state = self.request.GET.get("etat") or OfferState.SUBMITTED
        if state not in OfferState.values:
            state = OfferState.SUBMITTED
        offers = (
            Offer.objects.moderated_by(self.request.user)
            .filter(state=state)
            .select_related("organisation__region")
            .order_by("submitted_at", "id")
        )
        page = Paginator(offers, 50).get_page(self.request.GET.get("page"))
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "offers": page.object_list,
            "state": state,
            "states": OfferState.choices,
        }


class ModerationDetailView(PolicyRequiredMixin, View):
    policy_action = "training.moderate"

    def get_policy_object(self):
        self.offer = get_object_or_404(
            Offer.objects.select_related("organisation__commune", "organisation__region").prefetch_related(
                "themes", "audiences", "funding_routes", "sessions__commune"
            ),
            pk=self.kwargs["pk"],
        )
        return self.offer

    def context(self, form=None):
        offer = self.offer
        return {
            "offer": offer,
            "organisation": offer.organisation,
            "ownership": ownership_check(offer.organisation),
            "form": form or ReasonForm(),
            "transitions": [t for t in OFFER_WORKFLOW.available(offer, self.request.user) if t.name in MODERATION_MOVES],
            "history": AuditEvent.objects.for_object(offer).filter(action__startswith="training.")[:30],
        }

    def get(self, request, pk):
        return render(request, "training/moderation_detail.html", self.context())

    def post(self, request, pk):
        form = ReasonForm(request.POST)
        move = request.POST.get("transition", "")
        if move not in MODERATION_MOVES:
            form.is_valid()
            form.add_error(None, "Choisissez une décision.")
        elif form.is_valid():
            try:
                moderate(self.offer, move, request.user, form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            except policy.PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                self.offer.refresh_from_db(fields=["state"])
                # The offer's new state, as the organisation will read it (« Publiée »).
                messages.success(request, f"Offre « {self.offer.title} » : {self.offer.get_state_display().lower()}.")
                return redirect("training:moderation")
        return render(request, "training/moderation_detail.html", self.context(form), status=400)
