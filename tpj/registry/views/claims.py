"""Claims of entries (issue 17 §5): asking to manage an entry, and the moderators' decisions."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from tpj.audit.models import AuditEvent
from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin

from ..claims_workflow import CLAIM_WORKFLOW, ClaimMove
from ..models import EntryClaim, MatchedOn, identifier_match
from ..search import entry_queryset
from ..services import claims


class ClaimForm(forms.Form):
    message = forms.CharField(
        label="Votre message au modérateur",
        required=False,
        max_length=claims.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Facultatif. Dites quel est votre lien avec cette structure (fonction, établissement).",
    )


class ClaimDecisionForm(forms.Form):
    reason = forms.CharField(
        label="Motif",
        required=False,
        max_length=claims.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour refuser : il sera communiqué à la personne qui revendique la fiche.",
    )


class ClaimEntryView(PolicyRequiredMixin, View):
    """« Revendiquer cette fiche »: the explanation, what the account shares with it, the message."""

    policy_action = "registry.claim"
    template = "registry/claim_form.html"

    def get_policy_object(self):
        self.entry = get_object_or_404(entry_queryset(), pk=self.kwargs["pk"])
        return self.entry

    def render_form(self, form, status=200):
        user = self.request.user
        return render(
            self.request,
            self.template,
            {
                "entry": self.entry,
                "form": form,
                "matched_on": identifier_match(user, self.entry),
                "no_match": MatchedOn.NONE,
                "pending": EntryClaim.objects.pending().filter(entry=self.entry, claimant=user).first(),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_form(ClaimForm())

    def post(self, request, pk):
        form = ClaimForm(request.POST)
        if form.is_valid():
            try:
                claims.submit_claim(self.entry, request.user, form.cleaned_data["message"])
            except ValidationError as error:
                form.add_error(None, error)  # a bad message comes keyed by its field
            else:
                messages.success(
                    request,
                    "Votre demande est envoyée aux modérateurs du territoire de la fiche. Vous serez informé de leur décision.",
                )
                return redirect("registry:entry", pk)
        return self.render_form(form, status=400)


class ClaimWithdrawView(PolicyRequiredMixin, View):
    """« Retirer ma demande », on the entry's page, by the claim's author while it waits."""

    policy_action = "registry.withdraw_claim"
    http_method_names = ["post"]

    def get_policy_object(self):
        self.claim = get_object_or_404(EntryClaim, pk=self.kwargs["pk"])
        return self.claim

    def post(self, request, pk):
        try:
            claims.withdraw_claim(self.claim, request.user)
        except ValidationError as error:  # decided meanwhile: say so, change nothing
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Votre demande est retirée. Vous pourrez revendiquer la fiche à nouveau.")
        return redirect("registry:entry", self.claim.entry_id)


class ClaimsQueueView(PolicyRequiredMixin, View):
    """« Revendications »: the pending claims of the moderator's scope, oldest first."""

    policy_action = "registry.claims_queue"

    def get(self, request):
        page = Paginator(claims.pending_claims(request.user), 50).get_page(request.GET.get("page"))
        rows = [(claim, claims.match_label(claim)) for claim in page.object_list]
        return render(request, "registry/claims_queue.html", {"page_obj": page, "rows": rows})


class ClaimDetailView(PolicyRequiredMixin, View):
    """One claim, and the decision: confirm (the claimant becomes a member) or refuse with a reason."""

    policy_action = "registry.decide_claim"
    template = "registry/claim_detail.html"

    def get_policy_object(self):
        self.claim = get_object_or_404(
            EntryClaim.objects.select_related("entry__commune", "entry__category", "claimant__organisation"),
            pk=self.kwargs["pk"],
        )
        return self.claim

    def render_page(self, form=None, status=200):
        claim, entry = self.claim, self.claim.entry
        return render(
            self.request,
            self.template,
            {
                "claim": claim,
                "entry": entry,
                "match_label": claims.match_label(claim),
                "members": entry.members.all(),
                "situations": entry.situations.select_related("situation"),
                "contacts": entry.contacts.all(),
                "form": form or ClaimDecisionForm(),
                "transitions": CLAIM_WORKFLOW.available(claim, self.request.user),
                "history": AuditEvent.objects.for_object(claim)[:20],
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page()

    def post(self, request, pk):
        form = ClaimDecisionForm(request.POST)
        move = request.POST.get("decision", "")
        if form.is_valid():
            try:
                claims.decide(self.claim, move, request.user, form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)  # a missing reason comes keyed by its field
            except policy.PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                if move == ClaimMove.CONFIRM:
                    text = f"{self.claim.claimant.email} est désormais membre de la fiche « {self.claim.entry.name} »."
                else:
                    text = f"La revendication de la fiche « {self.claim.entry.name} » est refusée ; le demandeur en est informé."
                messages.success(request, text)
                return redirect("registry:claims")
        self.claim.refresh_from_db()
        return self.render_page(form, status=400)
