"""What registrants do: their entries, registration and edits, members, evidence files."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from tpj.audit.services import record
from tpj.conversations.services import conversation
from tpj.core import policy
from tpj.core.uploads import serve_upload
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.nomenclatures.models import Category

from ..forms import EntryFormBundle, MemberForm
from ..models import INVITATION_DAYS, Entry, EntrySituation, State
from ..search import entry_queryset
from ..services import invitations
from ..services.entries import create_entry, save_entry
from ..services.members import remove_member
from ..services.moderation import submit


class MyEntriesView(PolicyRequiredMixin, TemplateView):
    template_name = "registry/my_entries.html"
    policy_action = "registry.create"

    def get_context_data(self, **kwargs):
        entries = entry_queryset().of_member(self.request.user).order_by("revision_of_id", "name")
        return {
            **super().get_context_data(**kwargs),
            "entries": entries,
            "is_moderator": policy.check(self.request.user, "registry.moderation_queue").allowed,
        }


class EntryFormMixin:
    template_name = "registry/entry_form.html"

    def render_form(self, bundle, entry=None, status=200):
        suggestions = {
            c.pk: list(c.suggested_priorities.values_list("number", flat=True))
            for c in Category.objects.prefetch_related("suggested_priorities")
        }
        return render(
            self.request,
            self.template_name,
            {
                "bundle": bundle,
                "entry": entry,
                "suggestions_json": json.dumps(suggestions),
                "conversation": conversation(self.request.user, "registry.entry", entry) if entry else None,
            },
            status=status,
        )

    def save(self, bundle, entry=None):
        """Save the draft, then submit when asked; errors are shown on the form, nothing half-saved."""
        user = self.request.user
        wants_submit = "submit" in self.request.POST
        try:
            with transaction.atomic():
                if entry is None:
                    target, created = create_entry(user, bundle.data(), bundle.main.cleaned_data.get("client_token"))
                    if not created:  # the same form sent twice: the entry of the first sending
                        return redirect("registry:entry", target.pk)
                    outcome = "created"
                else:
                    target, outcome = save_entry(entry, user, bundle.data())
                if wants_submit:
                    target = submit(target, user)
        except ValidationError as error:
            for message in error.messages:
                bundle.main.add_error(None, message)
            return self.render_form(bundle, entry, status=400)
        if wants_submit:
            messages.success(self.request, "Votre fiche est envoyée en vérification. Vous recevrez la décision par e-mail.")
        elif outcome == "revision":
            messages.info(
                self.request,
                "Cette modification touche l'éligibilité, la catégorie, l'adresse ou les priorités : "
                "elle sera vérifiée avant publication. La version publiée reste visible d'ici là.",
            )
        else:
            messages.success(self.request, "Fiche enregistrée.")
        return redirect("registry:entry", target.pk)


class EntryCreateView(PolicyRequiredMixin, EntryFormMixin, View):
    policy_action = "registry.create"

    def get(self, request):
        category = Category.objects.filter(slug=request.GET.get("categorie", "")).first()
        suggested = list(category.suggested_priorities.values_list("number", flat=True)) if category else []
        bundle = EntryFormBundle(suggested=suggested)
        if category:
            bundle.main.initial["category"] = category.pk
        return self.render_form(bundle)

    def post(self, request):
        bundle = EntryFormBundle(request.POST, request.FILES)
        if not bundle.is_valid():
            return self.render_form(bundle, status=400)
        return self.save(bundle)


class EntryEditView(PolicyRequiredMixin, EntryFormMixin, View):
    policy_action = "registry.edit"

    def get_policy_object(self):
        self.entry = get_object_or_404(Entry, pk=self.kwargs["pk"])
        return self.entry

    def get(self, request, pk):
        entry = self.entry.pending_revision or self.entry if self.entry.revision_of_id is None else self.entry
        if entry.state == State.SUBMITTED:
            messages.info(request, "Cette fiche est en cours de vérification : attendez la décision pour la modifier.")
            return redirect("registry:entry", entry.pk)
        return self.render_form(EntryFormBundle(entry=entry), entry)

    def post(self, request, pk):
        bundle = EntryFormBundle(request.POST, request.FILES, entry=self.entry)
        if not bundle.is_valid():
            return self.render_form(bundle, self.entry, status=400)
        return self.save(bundle, self.entry)


class SubmitView(PolicyRequiredMixin, View):
    policy_action = "registry.submit"

    def get_policy_object(self):
        self.entry = get_object_or_404(Entry, pk=self.kwargs["pk"])
        return self.entry

    def post(self, request, pk):
        try:
            submit(self.entry, request.user)
            messages.success(request, "Votre fiche est envoyée en vérification.")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("registry:entry", pk)


class MembersView(PolicyRequiredMixin, View):
    policy_action = "registry.manage_members"

    def get_policy_object(self):
        self.entry = get_object_or_404(Entry, pk=self.kwargs["pk"])
        return self.entry

    def get(self, request, pk, form=None, status=200):
        return render(
            request,
            "registry/members.html",
            {
                "entry": self.entry,
                "form": form or MemberForm(),
                "members": self.entry.members.all(),
                "invitations": invitations.pending_invitations(self.entry),
            },
            status=status,
        )

    def post(self, request, pk):
        if "remove" in request.POST:
            member = self.entry.members.filter(pk=request.POST.get("remove")).first()
            try:
                if member:
                    remove_member(self.entry, member, request.user)
                    messages.success(request, f"{member.email} n'est plus membre de la fiche.")
            except ValidationError as error:
                messages.error(request, error.messages[0])
            return redirect("registry:members", pk)
        form = MemberForm(request.POST)
        if form.is_valid():
            try:
                outcome, added = invitations.add_or_invite(self.entry, form.cleaned_data["email"], request.user)
            except ValidationError as error:
                form.add_error(None, error)  # keyed by its field, "email"
            else:
                if outcome == "added":
                    messages.success(request, f"{added.email} peut désormais gérer la fiche.")
                else:
                    messages.success(
                        request,
                        f"Aucun compte n'utilise encore {added.email} : une invitation y est envoyée, valable "
                        f"{INVITATION_DAYS} jours. La personne deviendra membre en ouvrant le lien, une fois "
                        "connectée avec cette adresse.",
                    )
                return redirect("registry:members", pk)
        return self.get(request, pk, form=form, status=400)


class InvitationView(View):
    """The link of a member invitation: signed in with the invited address, opening it makes the
    person a member; otherwise the page says what to do (sign in, sign up, ask again)."""

    template = "registry/invitation.html"

    def get(self, request, token):
        invitation = invitations.find(token)
        try:
            invitations.check_usable(invitation)
        except invitations.InvitationError as error:
            return self.refused(request, invitation, error, status=410 if invitation else 404)
        if not request.user.is_authenticated:
            return render(request, self.template, {"invitation": invitation, "signed_out": True})
        try:
            invitations.accept(token, request.user)
        except invitations.InvitationError as error:  # used or expired meanwhile (another tab, perhaps)
            return self.refused(request, invitation, error, status=410)
        except policy.PermissionDenied as error:
            return render(request, self.template, {"error": str(error), "foreign": True}, status=403)
        messages.success(request, f"Vous êtes désormais membre de la fiche « {invitation.entry.name} ».")
        return redirect("registry:entry", invitation.entry_id)

    def refused(self, request, invitation, error, status):
        """A link no longer usable: its own member (who opened it before, or in another tab at
        the same moment) goes to the entry; anyone else reads why."""
        if (
            invitation is not None
            and request.user.is_authenticated
            and invitation.entry.members.filter(pk=request.user.pk).exists()
        ):
            messages.info(request, "Vous êtes déjà membre de cette fiche.")
            return redirect("registry:entry", invitation.entry_id)
        return render(request, self.template, {"error": str(error)}, status=status)


class EvidenceView(PolicyRequiredMixin, View):
    """Evidence files are never public: members and moderators in scope only, each access logged."""

    policy_action = "registry.view_evidence"

    def get_policy_object(self):
        self.situation = get_object_or_404(EntrySituation.objects.select_related("entry"), pk=self.kwargs["pk"])
        return self.situation

    def get(self, request, pk):
        situation = self.situation
        if not situation.evidence:
            raise Http404("Aucun justificatif.")
        return serve_upload(
            situation.evidence,
            filename=situation.evidence_name or "justificatif",
            content_type=situation.evidence_content_type,
            audit=lambda: record(
                actor=request.user, obj=situation.entry, action="registry.evidence_viewed", reason=situation.evidence_name
            ),
        )
