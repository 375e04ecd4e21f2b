"""Registry pages: directory & map, entry pages, registration, moderation, logo, exports."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views import View
from django.views.generic import TemplateView

from tpj.accounts.models import Role
from tpj.audit.services import record
from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.nomenclatures.models import Category, EntryKind, Priority
from tpj.territories.models import Departement, Region

from . import exports, importer, logo, services
from .filters import EntryFilter
from .forms import EntryFormBundle, ImportForm, MemberForm, ReasonForm
from .models import Entry, EntrySituation, ImportJob, State
from .permissions import moderates
from .search import SearchResults, entry_queryset
from .workflow import ENTRY_WORKFLOW, MODERATION_TRANSITIONS

PAGE_SIZE = 20


def filter_context(request):
    """Parse the permalink filters; errors become French messages, not a 500."""
    try:
        filters, errors = EntryFilter.from_query(request.GET), {}
    except ValidationError as error:
        filters, errors = EntryFilter(), error.message_dict
    return filters, errors


class DirectoryView(TemplateView):
    """The directory list and the map, driven by the same permalink filters."""

    template_name = "registry/directory.html"

    def get_template_names(self):
        return ["registry/_results.html"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs):
        filters, errors = filter_context(self.request)
        paginator = Paginator([] if errors else SearchResults(filters, self.request.GET.get("page"), PAGE_SIZE), PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        count = paginator.count
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "filters": filters,
            "errors": errors,
            "page_obj": page,
            "entries": page.object_list,
            "count": count,
            "querystring": query.urlencode(),
            "priorities": Priority.objects.all(),
            "categories": Category.objects.filter(is_active=True),
            "kinds": EntryKind.objects.all(),
            "regions": Region.objects.all(),
            "departements": Departement.objects.all(),
            "map_config": json.dumps(
                {
                    "api": reverse("api-registry-map"),
                    "entryUrl": reverse("registry:entry", args=[0]),
                    "tiles": settings.MAP_TILES_URL,
                    "attribution": settings.MAP_TILES_ATTRIBUTION,
                }
            ),
        }


class EntryDetailView(PolicyRequiredMixin, TemplateView):
    template_name = "registry/entry_detail.html"
    policy_action = "registry.view_entry"

    def get_policy_object(self):
        self.entry = get_object_or_404(entry_queryset().prefetch_related("situations__situation"), pk=self.kwargs["pk"])
        return self.entry

    def get_context_data(self, **kwargs):
        user, entry = self.request.user, self.entry
        is_member = policy.check(user, "registry.edit", entry).allowed
        return {
            **super().get_context_data(**kwargs),
            "entry": entry,
            "is_member": is_member,
            "is_moderator": moderates(user, entry),
            "contacts": entry.contacts.all() if (is_member or moderates(user, entry)) else entry.public_contacts(),
            "pending_revision": entry.pending_revision if is_member else None,
            "can_submit": is_member and entry.state in ("draft", "changes_requested", "rejected"),
            "can_download_logo": policy.check(user, "registry.download_logo", entry).allowed,
        }


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
                    target, outcome = services.create_entry(user, bundle.data()), "created"
                else:
                    target, outcome = services.save_entry(entry, user, bundle.data())
                if wants_submit:
                    target = services.submit(target, user)
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
            services.submit(self.entry, request.user)
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
            {"entry": self.entry, "form": form or MemberForm(), "members": self.entry.members.all()},
            status=status,
        )

    def post(self, request, pk):
        if "remove" in request.POST:
            member = self.entry.members.filter(pk=request.POST.get("remove")).first()
            try:
                if member:
                    services.remove_member(self.entry, member, request.user)
                    messages.success(request, f"{member.email} n'est plus membre de la fiche.")
            except ValidationError as error:
                messages.error(request, error.messages[0])
            return redirect("registry:members", pk)
        form = MemberForm(request.POST)
        if form.is_valid():
            try:
                member = services.add_member(self.entry, form.cleaned_data["email"], request.user)
                messages.success(request, f"{member.email} peut désormais gérer la fiche.")
                return redirect("registry:members", pk)
            except ValidationError as error:
                form.add_error("email", error.message_dict["email"][0])
        return self.get(request, pk, form=form, status=400)


# -- moderation ------------------------------------------------------------------------------
class ModerationQueueView(PolicyRequiredMixin, TemplateView):
    template_name = "registry/moderation_queue.html"
    policy_action = "registry.moderation_queue"

    def get_context_data(self, **kwargs):
        user = self.request.user
        queryset = entry_queryset().select_related("revision_of")
        if not user.is_administrator:
            queryset = user.scope(Role.MODERATOR).filter(queryset, region_field="region", departement_field="departement")
        state = self.request.GET.get("etat") or State.SUBMITTED
        if state not in State.values:
            state = State.SUBMITTED
        queryset = queryset.filter(state=state)
        for param, lookup in (("categorie", "category__slug"), ("departement", "departement_id"), ("region", "region_id")):
            if self.request.GET.get(param):
                queryset = queryset.filter(**{lookup: self.request.GET[param]})
        paginator = Paginator(queryset.order_by("submitted_at", "id"), 50)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "page_obj": page,
            "entries": page.object_list,
            "state": state,
            "states": State.choices,
            "categories": Category.objects.all(),
            "querystring": query.urlencode(),
        }


class ModerationDetailView(PolicyRequiredMixin, View):
    policy_action = "registry.moderate"

    def get_policy_object(self):
        self.entry = get_object_or_404(entry_queryset().prefetch_related("situations__situation"), pk=self.kwargs["pk"])
        return self.entry

    def context(self, form=None):
        from .identifiers import check_reference

        entry = self.entry
        checks = [(s, check_reference(s.reference_type, s.reference_value)) for s in entry.situations.all()]
        return {
            "entry": entry,
            "checks": checks,
            "duplicates": services.find_duplicates(entry),
            "form": form or ReasonForm(),
            "contacts": entry.contacts.all(),
            "transitions": ENTRY_WORKFLOW.available(entry, self.request.user),
            "history": _history(entry),
        }

    def get(self, request, pk):
        return render(request, "registry/moderation_detail.html", self.context())

    def post(self, request, pk):
        form = ReasonForm(request.POST)
        transition = request.POST.get("transition", "")
        if form.is_valid() and transition in MODERATION_TRANSITIONS:
            try:
                services.moderate(self.entry, transition, request.user, form.cleaned_data["reason"])
                messages.success(request, f"Décision enregistrée : {ENTRY_WORKFLOW.get(transition).label.lower()}.")
                return redirect("registry:moderation")
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("reason" if "motif" in message.lower() else None, message)
            except policy.PermissionDenied as error:
                form.add_error(None, str(error))
        elif transition not in MODERATION_TRANSITIONS:
            form.add_error(None, "Choisissez une décision.")
        return render(request, "registry/moderation_detail.html", self.context(form), status=400)


def _history(entry):
    from tpj.audit.models import AuditEvent

    return AuditEvent.objects.for_object(entry).filter(action__startswith="registry.")[:30]


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
        try:
            handle = situation.evidence.open("rb")
        except FileNotFoundError:
            raise Http404("Fichier introuvable.") from None
        record(actor=request.user, obj=situation.entry, action="registry.evidence_viewed", reason=situation.evidence_name)
        response = FileResponse(
            handle,
            content_type=situation.evidence_content_type or "application/octet-stream",
            as_attachment=False,
            filename=situation.evidence_name or "justificatif",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        patch_cache_control(response, private=True, no_store=True)
        return response


# -- logo and public verification -----------------------------------------------------------
class LogoView(PolicyRequiredMixin, View):
    policy_action = "registry.download_logo"

    def get_policy_object(self):
        self.entry = get_object_or_404(Entry, pk=self.kwargs["pk"])
        return self.entry

    def get(self, request, pk, fmt):
        if fmt not in ("svg", "png"):
            raise Http404("Format inconnu.")
        record(actor=request.user, obj=self.entry, action="registry.logo_downloaded", reason=fmt)
        if fmt == "svg":
            response = HttpResponse(logo.logo_svg(), content_type="image/svg+xml")
        else:
            response = HttpResponse(logo.logo_png(), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="logo-1000-premiers-jours.{fmt}"'
        return response


def verification_url(entry) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("registry:verification", args=[entry.public_id])


class VerificationView(TemplateView):
    """Public, stable page anyone can check: is this entry allowed to use the logo now?"""

    template_name = "registry/verification.html"

    def get_context_data(self, **kwargs):
        entry = get_object_or_404(
            Entry.objects.select_related("category", "commune"), public_id=self.kwargs["public_id"], revision_of__isnull=True
        )
        url = verification_url(entry)
        return {**super().get_context_data(**kwargs), "entry": entry, "url": url, "qr_svg": logo.qr_svg(url)}


class VerificationQRView(View):
    def get(self, request, public_id):
        entry = get_object_or_404(Entry, public_id=public_id, revision_of__isnull=True)
        return HttpResponse(logo.qr_png(verification_url(entry)), content_type="image/png")


# -- partners --------------------------------------------------------------------------------
class PartnersView(PolicyRequiredMixin, TemplateView):
    """ "Who else works on priority X near me": ranked by distance, my own entries excluded."""

    template_name = "registry/partners.html"
    policy_action = "registry.find_partners"

    def get_context_data(self, **kwargs):
        user = self.request.user
        mine = list(
            Entry.objects.of_member(user).filter(revision_of__isnull=True, commune__isnull=False).select_related("commune")
        )
        origin = next((e for e in mine if str(e.pk) == self.request.GET.get("depuis")), mine[0] if mine else None)
        priority = Priority.objects.filter(number=self.request.GET.get("priorite") or 0).first()
        km = self.request.GET.get("km") or "30"
        results, error = [], ""
        if origin and priority:
            params = self.request.GET.copy()
            params.setlist("priorite", [str(priority.number)])
            params["autour"], params["km"] = origin.commune_id, km
            try:
                filters = EntryFilter.from_query(params)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                # The distance is measured from the entry's own point, not the commune centre.
                from .filters import within_km

                filters.near = None
                base = filters.apply(entry_queryset().published().exclude(members=user))
                results = within_km(base, origin.latitude, origin.longitude, filters.radius_km).order_by("distance2")[:50]
                from .grid import equirectangular_km

                results = [(e, equirectangular_km(origin.latitude, origin.longitude, e.latitude, e.longitude)) for e in results]
        return {
            **super().get_context_data(**kwargs),
            "mine": mine,
            "origin": origin,
            "priority": priority,
            "km": km,
            "priorities": Priority.objects.all(),
            "results": results,
            "error": error,
        }


# -- exports ---------------------------------------------------------------------------------
class ExportView(View):
    """Open data: published entries and consented contacts only, with the directory filters."""

    def get(self, request, fmt):
        try:
            filters = EntryFilter.from_query(request.GET)
        except ValidationError as error:
            return JsonResponse({"detail": "Filtres invalides.", "errors": error.message_dict}, status=400)
        queryset = filters.apply(Entry.objects.published())
        if fmt == "csv":
            return exports.csv_response(queryset)
        if fmt == "geojson":
            return exports.geojson_response(queryset)
        if fmt == "data-inclusion-structures":
            return exports.json_array_response(exports.data_inclusion_structures(queryset), "structures-data-inclusion.json")
        if fmt == "data-inclusion-services":
            return exports.json_array_response(exports.data_inclusion_services(queryset), "services-data-inclusion.json")
        raise Http404("Format inconnu.")


# -- import ----------------------------------------------------------------------------------
class ImportView(PolicyRequiredMixin, View):
    policy_action = "registry.import"

    def get(self, request, form=None, status=200):
        jobs = (
            ImportJob.objects.filter(created_by=request.user)[:10]
            if not request.user.is_administrator
            else ImportJob.objects.all()[:10]
        )
        return render(request, "registry/import.html", {"form": form or ImportForm(), "jobs": jobs}, status=status)

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        try:
            job = importer.create_job(form.cleaned_data["source"], form.cleaned_data["file"], request.user)
        except ValidationError as error:
            form.add_error("file", error.messages[0])
            return self.get(request, form=form, status=400)
        return redirect("registry:import-job", job.pk)


class ImportJobView(PolicyRequiredMixin, View):
    """Progress page; each htmx poll processes the next chunk (resumable after interruption)."""

    policy_action = "registry.import"

    def get(self, request, pk):
        job = get_object_or_404(ImportJob, pk=pk)
        if request.htmx and job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING):
            job = importer.run_chunk(job, request.user)
        template = "registry/_import_progress.html" if request.htmx else "registry/import_job.html"
        return render(request, template, {"job": job})
