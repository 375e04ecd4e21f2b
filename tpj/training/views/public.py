"""The public pages: the search of sessions (every filter in the URL) and an offer's page."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views import View

from tpj.core import policy
from tpj.core.text import french_count, french_plural
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Departement, Region

from .. import exports
from ..models import Audience, Format, FundingRoute, Offer
from ..search import DEFAULT_RADIUS_KM, CappedPaginator, SessionFilter

PER_PAGE = 20


class SearchView(PolicyRequiredMixin, View):
    policy_action = "training.view_public"

    def get(self, request):
        errors, sessions, filters = {}, [], None
        try:
            filters = SessionFilter.from_query(request.GET)
        except ValidationError as error:
            errors = {key: messages[0] for key, messages in error.message_dict.items()}
        page = None
        if filters is not None:
            page = CappedPaginator(filters.sessions(), PER_PAGE).get_page(request.GET.get("page"))
            sessions = [(session, filters.distance_km(session)) for session in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "training/search.html",
            {
                "filters": filters,
                "f": filters or SessionFilter(),
                "errors": errors,
                "page_obj": page,
                "sessions": sessions,
                "count_label": _count_label(page.paginator) if page else "",
                "active_filters": _active_filters(filters),
                "query": query.urlencode(),
                "params": request.GET,
                "themes": TrainingTheme.objects.all(),
                "audiences": Audience.choices,
                "formats": Format.choices,
                "funding_routes": FundingRoute.choices,
                # The territories' options as (value, label) pairs: a hundred départements as
                # model instances, each looked up three times by the template, cost a tenth of the page.
                "regions": Region.objects.values_list("code", "name"),
                "departements": [(code, f"{code} — {name}") for code, name in Departement.objects.values_list("code", "name")],
                "default_km": DEFAULT_RADIUS_KM,
                "can_moderate": bool(policy.check(request.user, "training.moderation_queue")),
                "catalogue_files": exports.download_links(),
                "map_config": {"tiles": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION},
            },
            status=400 if errors else 200,
        )


class OfferDetailView(PolicyRequiredMixin, View):
    policy_action = "training.view_offer"

    def get_policy_object(self):
        self.offer = get_object_or_404(
            Offer.objects.select_related("organisation__commune").prefetch_related(
                "themes", "audiences", "funding_routes", "sessions__commune"
            ),
            pk=self.kwargs["pk"],
        )
        return self.offer

    def get(self, request, pk):
        offer = self.offer
        return render(
            request,
            "training/offer_detail.html",
            {
                "offer": offer,
                "sessions": offer.sessions.all(),
                "show_private": bool(policy.check(request.user, "training.view_private", offer)),
                "can_edit": bool(policy.check(request.user, "training.edit", offer)),
            },
        )


def _count_label(paginator: CappedPaginator) -> str:
    """« 12 sessions trouvées », or « Plus de 1 000 sessions trouvées » past the count's cap."""
    count = paginator.count
    if paginator.capped:
        return f"Plus de {french_count(count)} sessions trouvées : précisez les filtres pour les parcourir toutes"
    return f"{french_count(count)} {french_plural(count, 'session trouvée', 'sessions trouvées')}"


def _active_filters(filters: SessionFilter | None) -> int:
    """How many of the form's filters are in use, shown on a phone as « Filtrer (n) » (the
    radius and the remote sessions go with their territory, the order is not a filter)."""
    if filters is None:
        return 0
    return sum(
        bool(value)
        for value in (
            filters.text,
            filters.date_from,
            filters.date_to,
            filters.themes,
            filters.audiences,
            filters.formats,
            filters.funding_routes,
            filters.region,
            filters.departement,
            filters.near,
        )
    )
