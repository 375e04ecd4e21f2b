"""The yearly accuracy review's pages: a member's one-click confirmation, and the moderators'
list of proposed suspensions (services/review.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin

from ..models import Entry
from ..services import review

SUSPENDED_MESSAGE = (
    "Cette fiche a été suspendue : elle n'apparaît plus dans l'annuaire ni sur la carte. Pour la faire rétablir, "
    "mettez-la à jour depuis « Mes fiches » et soumettez-la : un modérateur de votre territoire la vérifiera."
)


class ReviewConfirmView(View):
    """The link of the yearly e-mail: the entry named, one button « Je confirme ». No sign-in:
    the signed link names the member (the e-mail went to them alone). GET changes nothing,
    so that a mail client's link preview confirms nothing."""

    template = "registry/review_confirm.html"

    def dispatch(self, request, token):
        found = review.read_token(token)
        if found is None:
            return render(request, self.template, {"invalid": True}, status=400)
        self.entry, self.member = found
        return super().dispatch(request, token)

    def get(self, request, token):
        return render(request, self.template, {"entry": self.entry, "awaited": review.awaits_confirmation(self.entry)})

    def post(self, request, token):
        try:
            review.confirm(self.entry, self.member)
        except (ValidationError, policy.PermissionDenied):
            self.entry.refresh_from_db()  # answered or suspended meanwhile: the page says which
            return render(request, self.template, {"entry": self.entry, "awaited": False})
        return render(request, self.template, {"entry": self.entry, "confirmed": True})


class MemberConfirmView(PolicyRequiredMixin, View):
    """« Je confirme » on the entry's page, for a signed-in member."""

    policy_action = "registry.confirm_accuracy"

    def get_policy_object(self):
        self.entry = get_object_or_404(Entry, pk=self.kwargs["pk"])
        return self.entry

    def get(self, request, pk):
        """A link to this address (an older e-mail) leads to the entry's « Je confirme » button."""
        return redirect(reverse("registry:entry", args=[pk]) + "#confirmation")

    def post(self, request, pk):
        try:
            review.confirm(self.entry, request.user)
            messages.success(request, "Merci : l'exactitude de votre fiche est confirmée pour un an.")
        except ValidationError:
            self.entry.refresh_from_db()
            if self.entry.is_suspended:  # a moderator suspended it meanwhile: not « à jour »
                messages.warning(request, SUSPENDED_MESSAGE)
            else:
                messages.info(request, "Aucune confirmation n'est attendue pour cette fiche : elle est à jour.")
        return redirect("registry:entry", pk=pk)


class ReviewQueueView(PolicyRequiredMixin, View):
    """The suspensions proposed in the moderator's scope: confirm (the entry is suspended) or keep."""

    policy_action = "registry.moderation_queue"
    template = "registry/review_queue.html"

    def context(self, errors=None):
        entries = list(review.proposed_suspensions(self.request.user)[:200])
        for entry in entries:
            entry.default_reason = review.default_suspension_reason(entry)
        return {"entries": entries, "errors": errors or {}, "answer_days": review.answer_days()}

    def get(self, request):
        return render(request, self.template, self.context())

    def post(self, request):
        entry = Entry.objects.moderated_by(request.user).filter(pk=_int(request.POST.get("entry"))).first()
        decision = request.POST.get("decision", "")
        if entry is None or decision not in ("suspend", "keep"):
            messages.error(request, "Cette fiche n'est plus à examiner dans votre périmètre : rechargez la page.")
            return redirect("registry:review-queue")
        reason = request.POST.get("reason", "")[:2000]
        try:
            if decision == "suspend":
                review.confirm_suspension(entry, request.user, reason)
                messages.success(request, f"La fiche « {entry.name} » est suspendue ; ses membres en sont informés.")
            else:
                review.keep(entry, request.user, reason)
                messages.success(request, f"La fiche « {entry.name} » reste publiée.")
        except (ValidationError, policy.PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            context = self.context({entry.pk: text})
            if entry.pk not in {listed.pk for listed in context["entries"]}:
                # Decided meanwhile (a member confirmed, another moderator answered): its card,
                # where the reason is shown, is gone from the list.
                messages.error(request, f"« {entry.name} » : {text}")
            return render(request, self.template, context, status=400)
        return redirect("registry:review-queue")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
