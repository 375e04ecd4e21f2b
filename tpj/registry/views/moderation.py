"""Moderation pages: the queue of a moderator's scope and the decision page of an entry."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from tpj.audit.models import AuditEvent
from tpj.conversations.services import conversation
from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.nomenclatures.models import Category

from ..filters import EntryFilter
from ..forms import ReasonForm
from ..identifiers import check_reference
from ..models import State
from ..search import entry_queryset
from ..services.duplicates import find_duplicates
from ..services.moderation import moderate
from ..services.notifications import failed_notifications, resend_notification
from ..workflow import ENTRY_WORKFLOW, MODERATION_TRANSITIONS

# The directory filters the queue offers (the state is chosen apart).
QUEUE_FILTERS = ("categorie", "departement", "region")


class ModerationQueueView(PolicyRequiredMixin, TemplateView):
    template_name = "registry/moderation_queue.html"
    policy_action = "registry.moderation_queue"

    def get_context_data(self, **kwargs):
        user = self.request.user
        queryset = entry_queryset().select_related("revision_of").moderated_by(user)
        state = self.request.GET.get("etat") or State.SUBMITTED
        if state not in State.values:
            state = State.SUBMITTED
        queryset = queryset.filter(state=state)
        try:
            filters = EntryFilter.from_query({param: self.request.GET.get(param) for param in QUEUE_FILTERS})
        except ValidationError:
            queryset = queryset.none()  # an unknown category or territory matches nothing
        else:
            queryset = filters.filter_dimensions(queryset)
        paginator = Paginator(queryset.order_by("submitted_at", "id"), 50)
        page = paginator.get_page(self.request.GET.get("page"))
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "entries": page.object_list,
            "state": state,
            "states": State.choices,
            "categories": Category.objects.all(),
        }


class ModerationDetailView(PolicyRequiredMixin, View):
    policy_action = "registry.moderate"

    def get_policy_object(self):
        self.entry = get_object_or_404(entry_queryset().prefetch_related("situations__situation"), pk=self.kwargs["pk"])
        return self.entry

    def context(self, form=None):
        entry = self.entry
        checks = [(s, check_reference(s.reference_type, s.reference_value)) for s in entry.situations.all()]
        return {
            "entry": entry,
            "checks": checks,
            "duplicates": find_duplicates(entry),
            "form": form or ReasonForm(),
            "contacts": entry.contacts.all(),
            "transitions": ENTRY_WORKFLOW.available(entry, self.request.user),
            "history": _history(entry),
            "conversation": conversation(self.request.user, "registry.entry", entry),
            "failed_emails": failed_notifications(entry),
        }

    def get(self, request, pk):
        return render(request, "registry/moderation_detail.html", self.context())

    def post(self, request, pk):
        if "resend" in request.POST:  # « Renvoyer » a failed e-mail to the entry's members
            try:
                message = resend_notification(self.entry, request.user, request.POST["resend"])
                messages.success(
                    request,
                    f"Courriel remis en envoi à {', '.join(message.recipients)} : s'il échoue encore, il reste listé ci-dessous.",
                )
            except ValidationError as error:
                messages.error(request, error.messages[0])
            return redirect("registry:moderate", pk=pk)
        form = ReasonForm(request.POST)
        transition = request.POST.get("transition", "")
        if form.is_valid() and transition in MODERATION_TRANSITIONS:
            try:
                moderate(self.entry, transition, request.user, form.cleaned_data["reason"])
                messages.success(request, f"Décision enregistrée : {ENTRY_WORKFLOW.get(transition).label.lower()}.")
                return redirect("registry:moderation")
            except ValidationError as error:
                form.add_error(None, error)  # a missing reason comes keyed by its field, "reason"
            except policy.PermissionDenied as error:
                form.add_error(None, str(error))
        elif transition not in MODERATION_TRANSITIONS:
            form.add_error(None, "Choisissez une décision.")
        return render(request, "registry/moderation_detail.html", self.context(form), status=400)


def _history(entry):
    # The entry's messages are in its history too (moderators read the internal notes).
    actions = Q(action__startswith="registry.") | Q(action__startswith="conversations.")
    return AuditEvent.objects.for_object(entry).filter(actions)[:30]
