"""The training organisation's pages: « Mes offres », its registration, an offer's form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin

from ..forms import OfferForm, OrganisationForm, SessionFormSet
from ..models import Offer, TrainingOrganisation
from ..services import offers as offer_services
from ..services.organisations import register_organisation
from ..services.reports import awaiting_report
from ..workflow import EDITABLE_STATES, OFFER_WORKFLOW, Move

REPORTS_DUE_LISTED = 10  # « Bilans des sessions » lists them all


class MyOffersView(PolicyRequiredMixin, TemplateView):
    template_name = "training/my_offers.html"
    policy_action = "training.my_offers"

    def get_context_data(self, **kwargs):
        user = self.request.user
        organisations = TrainingOrganisation.objects.of_member(user)
        offers = (
            Offer.objects.of_member(user)
            .select_related("organisation")
            .annotate(session_count=Count("sessions"))
            .order_by("organisation__name", "title", "id")
        )
        return {
            **super().get_context_data(**kwargs),
            "organisations": organisations,
            "offers": offers,
            "reports_due": awaiting_report(user)[:REPORTS_DUE_LISTED] if organisations else [],
        }


class OrganisationCreateView(PolicyRequiredMixin, View):
    policy_action = "training.register_organisation"

    def get(self, request):
        return render(request, "training/organisation_form.html", {"form": OrganisationForm()})

    def post(self, request):
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                organisation = register_organisation(request.user, form.instance)
            except ValidationError as error:  # the same SIRET registered at the same moment
                form.add_error(None, error)
            else:
                messages.success(request, f"Organisme « {organisation.name} » inscrit : vous pouvez créer ses offres.")
                return redirect("training:mine")
        return render(request, "training/organisation_form.html", {"form": form}, status=400)


class OfferFormMixin:
    """The offer's form and its sessions' formset, validated together, saved in one transaction."""

    def render_form(self, form, sessions, status=200):
        offer = form.instance
        return render(
            self.request,
            "training/offer_form.html",
            {"form": form, "sessions": sessions, "offer": offer, "organisation": offer.organisation},
            status=status,
        )

    def save(self, offer):
        request = self.request
        form = OfferForm(request.POST, instance=offer)
        sessions = SessionFormSet(request.POST, instance=offer, prefix="sessions")
        if not (form.is_valid() and sessions.is_valid()):
            return self.render_form(form, sessions, status=400)
        try:
            offer = offer_services.save_offer(
                request.user,
                form.instance,
                themes=form.cleaned_data["themes"],
                audiences=form.cleaned_data["audiences"],
                funding_routes=form.cleaned_data["funding_routes"],
                sessions=sessions,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_form(form, sessions, status=400)
        if "submit" in request.POST:
            try:
                offer_services.submit(offer, request.user)
            except ValidationError as error:
                for problem in error.messages:
                    messages.error(request, problem)
                messages.warning(request, "Brouillon enregistré, mais pas encore soumis : complétez-le.")
                return redirect("training:edit", pk=offer.pk)
            messages.success(request, "Offre soumise à la modération : vous serez prévenu de la décision.")
            return redirect("training:mine")
        messages.success(request, "Brouillon enregistré.")
        return redirect("training:edit", pk=offer.pk)


class OfferCreateView(PolicyRequiredMixin, OfferFormMixin, View):
    policy_action = "training.create_offer"

    def get_policy_object(self):
        self.organisation = get_object_or_404(TrainingOrganisation, pk=self.kwargs["pk"])
        return self.organisation

    def get(self, request, pk):
        offer = offer_services.new_offer(self.organisation)
        return self.render_form(OfferForm(instance=offer), SessionFormSet(instance=offer, prefix="sessions"))

    def post(self, request, pk):
        return self.save(offer_services.new_offer(self.organisation))


class OfferEditView(PolicyRequiredMixin, OfferFormMixin, View):
    policy_action = "training.edit"

    def get_policy_object(self):
        self.offer = get_object_or_404(Offer.objects.select_related("organisation"), pk=self.kwargs["pk"])
        return self.offer

    def get(self, request, pk):
        if self.offer.state not in EDITABLE_STATES:
            return render(request, "training/offer_locked.html", {"offer": self.offer, "transitions": self.member_moves()})
        return self.render_form(OfferForm(instance=self.offer), SessionFormSet(instance=self.offer, prefix="sessions"))

    def post(self, request, pk):
        if request.htmx:
            return self.autosave()
        return self.save(self.offer)

    def autosave(self):
        """While the member types (htmx, on change): the offer's own fields are saved as a
        draft when they are valid; its sessions are saved by the form's buttons."""
        form = OfferForm(self.request.POST, instance=self.offer)
        saved, errors = False, []
        if form.is_valid():
            try:
                offer_services.save_offer(
                    self.request.user,
                    form.instance,
                    themes=form.cleaned_data["themes"],
                    audiences=form.cleaned_data["audiences"],
                    funding_routes=form.cleaned_data["funding_routes"],
                )
                saved = True
            except ValidationError as error:
                errors = error.messages
        else:
            errors = [message for messages_ in form.errors.values() for message in messages_]
        return render(self.request, "training/_autosave.html", {"saved": saved, "errors": errors})

    def member_moves(self):
        return [t for t in OFFER_WORKFLOW.available(self.offer, self.request.user) if t.name == Move.WITHDRAW]


class OfferMoveView(PolicyRequiredMixin, View):
    """A member's transition posted from its offer's page: submit or withdraw."""

    policy_action = "training.view_private"
    moves = {Move.SUBMIT: offer_services.submit, Move.WITHDRAW: offer_services.withdraw}

    def get_policy_object(self):
        self.offer = get_object_or_404(Offer.objects.select_related("organisation__commune"), pk=self.kwargs["pk"])
        return self.offer

    def post(self, request, pk):
        move = request.POST.get("transition", "")
        if move not in self.moves:
            messages.error(request, "Choisissez une action.")
            return redirect("training:edit", pk=pk)
        try:
            offer = self.moves[move](self.offer, request.user)
        except policy.PermissionDenied as error:
            return render(request, "403.html", {"reason": str(error)}, status=403)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
            return redirect("training:edit", pk=pk)
        messages.success(request, f"Action effectuée : {offer.get_state_display().lower()}.")
        return redirect("training:edit", pk=pk)
