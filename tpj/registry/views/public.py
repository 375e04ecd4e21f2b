"""Public pages of the registry: the directory and its map, entry pages, the logo, the
public verification page and the partner search."""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import TemplateView

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.nomenclatures.models import Category, EntryKind, Priority

from .. import logo
from ..filters import EntryFilter, reference_territories, within_km
from ..grid import equirectangular_km
from ..models import Entry, State
from ..models.claims import active_member_exists
from ..search import SearchResults, directory_rows, entry_queryset
from ..services import claims, review
from ..workflow import ENTRY_WORKFLOW, Move

PAGE_SIZE = 20


def filter_context(request):
    """Parse the permalink filters; errors become French messages, not a 500."""
    try:
        filters, errors = EntryFilter.from_query(request.GET), {}
    except ValidationError as error:
        filters, errors = EntryFilter(), error.message_dict
    return filters, errors


# Public reads write nothing: no transaction around them (ATOMIC_REQUESTS would open one per
# request, and on SQLite take the write lock).
read_only = method_decorator(transaction.non_atomic_requests, name="dispatch")


@read_only
class DirectoryView(TemplateView):
    """The directory list and the map, driven by the same permalink filters."""

    template_name = "registry/directory.html"

    def get_template_names(self):
        return ["registry/_results.html"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs):
        filters, errors = filter_context(self.request)
        results = [] if errors else SearchResults(filters, self.request.GET.get("page"), PAGE_SIZE, read=directory_rows)
        paginator = Paginator(results, PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        count = paginator.count
        query = self.request.GET.copy()
        query.pop("page", None)
        regions, departements = reference_territories()
        return {
            **super().get_context_data(**kwargs),
            "filters": filters,
            "errors": errors,
            # Shown on a phone as « Filtrer (n) »: the form's fields in use (the radius goes with its commune).
            "active_filters": sum(
                bool(value)
                for value in (
                    filters.text,
                    filters.priorities,
                    filters.category,
                    filters.kind,
                    filters.region,
                    filters.departement,
                    filters.commune,
                    filters.near,
                )
            ),
            "page_obj": page,
            "entries": page.object_list,
            "count": count,
            "querystring": query.urlencode(),
            # The form's choices as (value, label) and the values chosen: the page draws about
            # 150 options, which read plain values much faster than model instances.
            "priorities": Priority.objects.values_list("number", "short_label"),
            "categories": Category.objects.filter(is_active=True).values_list("slug", "label"),
            "kinds": EntryKind.objects.values_list("slug", "label"),
            "regions": [(code, r.name) for code, r in regions.items()],
            "departements": [(code, d.name) for code, d in departements.items()],
            "selected": {
                "category": filters.category.slug if filters.category else None,
                "kind": filters.kind.slug if filters.kind else None,
                "region": filters.region.code if filters.region else None,
                "departement": filters.departement.code if filters.departement else None,
            },
            "map_config": json.dumps(
                {
                    "api": reverse("api-registry-map"),
                    "entryUrl": reverse("registry:entry", args=[0]),
                    "tiles": settings.MAP_TILES_URL,
                    "attribution": settings.MAP_TILES_ATTRIBUTION,
                }
            ),
        }


@read_only
class EntryDetailView(PolicyRequiredMixin, TemplateView):
    template_name = "registry/entry_detail.html"
    policy_action = "registry.view_entry"

    def get_policy_object(self):
        self.entry = get_object_or_404(entry_queryset().annotate(is_managed=active_member_exists()), pk=self.kwargs["pk"])
        return self.entry

    def get_context_data(self, **kwargs):
        user, entry = self.request.user, self.entry
        is_member = policy.check(user, "registry.edit", entry).allowed
        sees_private = policy.check(user, "registry.view_private", entry).allowed
        is_moderator = policy.check(user, "registry.moderate", entry).allowed
        # What only members, moderators and the national team see is read for them only.
        return {
            **super().get_context_data(**kwargs),
            "entry": entry,
            "is_member": is_member,
            "sees_private": sees_private,
            "shows_decision_reason": sees_private and bool(entry.decision_reason) and entry.state != State.VERIFIED,
            "can_edit": is_member and entry.state != State.SUBMITTED,
            "can_moderate": is_moderator and entry.state != State.DRAFT,
            "contacts": entry.contacts.all() if sees_private else entry.public_contacts(),
            "situations": entry.situations.select_related("situation") if sees_private else (),
            "pending_revision": entry.pending_revision if is_member else None,
            "awaits_confirmation": is_member and review.awaits_confirmation(entry),
            "can_submit": is_member and any(t.name == Move.SUBMIT for t in ENTRY_WORKFLOW.available(entry, user)),
            "can_download_logo": is_member and policy.check(user, "registry.download_logo", entry).allowed,
            "claim_offer": None if is_member else claims.claim_offer(user, entry),
        }


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


class VerificationView(TemplateView):
    """Public, stable page anyone can check: is this entry allowed to use the logo now?"""

    template_name = "registry/verification.html"

    def get_context_data(self, **kwargs):
        entry = get_object_or_404(
            Entry.objects.select_related("category", "commune"), public_id=self.kwargs["public_id"], revision_of__isnull=True
        )
        url = logo.verification_url(entry)
        return {**super().get_context_data(**kwargs), "entry": entry, "url": url, "qr_svg": logo.qr_svg(url)}


class VerificationQRView(View):
    def get(self, request, public_id):
        entry = get_object_or_404(Entry, public_id=public_id, revision_of__isnull=True)
        return HttpResponse(logo.qr_png(logo.verification_url(entry)), content_type="image/png")


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
                filters.near = None
                base = filters.apply(entry_queryset().published().exclude(members=user))
                results = within_km(base, origin.latitude, origin.longitude, filters.radius_km).order_by("distance2")[:50]
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
