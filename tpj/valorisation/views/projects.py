"""Projetothèque (public): list and map of laureate projects, permalinks, exports, coups de cœur."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.text import Truncator
from django.views.generic import TemplateView, View

from tpj.accounts.models import Organisation
from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.territories.models import Departement, Region

from .. import exports, services
from ..models import Highlight
from ..project_columns import PROJECTS_HEADER, decorate, page_url, project_feature, project_row
from ..projects import (
    LIST_ORDER,
    ProjectFilter,
    card_rows,
    national_axis_choices,
    project_cards,
    public_laureates,
    public_projects,
)
from .mixins import PublicMixin


def filtered(request) -> tuple[ProjectFilter, list]:
    filters = ProjectFilter.from_query(request.GET)
    return filters, [decorate(p) for p in filters.select(public_projects())]


def bad_filters(error: ValidationError) -> JsonResponse:
    return JsonResponse({"detail": "Filtres invalides.", "errors": error.message_dict}, status=400)


PAGE_SIZE = 20  # projects per page of the list


@method_decorator(transaction.non_atomic_requests, name="dispatch")  # a pure read: no transaction per request
class ProjectListView(PublicMixin, TemplateView):
    template_name = "valorisation/projects.html"

    def get(self, request, *args, **kwargs):
        try:
            filters = ProjectFilter.from_query(request.GET)
        except ValidationError as error:
            filters, laureates = ProjectFilter(), []
            messages.error(request, "Filtres invalides : " + " ".join(m for ms in error.message_dict.values() for m in ms))
        else:
            # The database filters (the text too: `ProjectSearchText`), counts and pages the
            # laureates: only the page's 20 projects are read, as plain rows. The count reads
            # the bare laureates, without the joins of the cards' columns.
            laureates = filters.apply(public_laureates().order_by(*LIST_ORDER))
        paginator = Paginator(laureates, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        rows = card_rows(laureates)[page.start_index() - 1 : page.end_index()] if paginator.count else []
        # What the form and the coups de cœur show: plain rows too (a hundred départements
        # as model instances cost more than their query), the options as (value, label) pairs.
        axes = national_axis_choices()
        highlights = list(
            Highlight.objects.filter(application__in=public_laureates()).values(
                "application_id", "year", region_name=F("region__name"), title=F("application__title")
            )
        )
        projects = project_cards(rows, axes=axes, highlighted={h["application_id"] for h in highlights})
        years = public_laureates().order_by("-call__campaign__year").values_list("call__campaign__year", flat=True).distinct()
        departements = Departement.objects.values_list("code", "name")
        if filters.region:
            departements = departements.filter(region_id=filters.region)
        return self.render_to_response(
            {
                "filters": filters,
                "page_obj": page,
                "projects": projects,
                "count": paginator.count,
                "querystring": filters.querystring(),
                # The filters' choices, (value, label) pairs.
                "regions": Region.objects.values_list("code", "name"),
                "departements": [(code, f"{name} ({code})") for code, name in departements],
                "axis_choices": [(a["number"], f"Axe {a['number']} — {Truncator(a['label']).chars(70)}") for a in axes],
                "years": [(year, year) for year in years],
                "axes": axes,
                "carrier_kinds": Organisation.Kind.choices,
                "highlights": highlights,
                "map_config": {"tiles": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION},
            }
        )


class ProjectDetailView(PublicMixin, TemplateView):
    template_name = "valorisation/project_detail.html"

    def get_context_data(self, **kwargs):
        project = public_projects().filter(pk=self.kwargs["pk"]).first()
        if project is None:
            raise Http404("Ce projet n'existe pas ou n'est pas (encore) public.")
        decorate(project)
        user = self.request.user
        highlight = project.highlights.first()
        return {
            **super().get_context_data(**kwargs),
            "project": project,
            "highlight": highlight,
            "may_highlight": policy.check(user, "valorisation.choose_highlight", project),
            "permalink": page_url(project),
        }


class HighlightView(PolicyRequiredMixin, View):
    """A call manager makes a project its région's coup de cœur (POST only)."""

    policy_action = "valorisation.choose_highlight"

    def post(self, request, pk):
        application = get_object_or_404(public_projects(), pk=pk)
        try:
            services.choose_highlight(user=request.user, application=application, reason=request.POST.get("reason", ""))
        except policy.PermissionDenied as error:
            return render(request, "403.html", {"reason": str(error)}, status=403)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("valorisation:project", pk=pk)
        messages.success(
            request,
            f"« {application.title} » est le coup de cœur {application.call.region.name} {application.call.campaign.year}.",
        )
        return redirect("valorisation:project", pk=pk)


class ProjectsCsvView(PublicMixin, View):
    def get(self, request):
        try:
            _, projects = filtered(request)
        except ValidationError as error:
            return bad_filters(error)
        return exports.csv_response("projets-laureats.csv", PROJECTS_HEADER, (project_row(p) for p in projects))


class ProjectsGeoJsonView(PublicMixin, View):
    def get(self, request):
        try:
            _, projects = filtered(request)
        except ValidationError as error:
            return bad_filters(error)
        return exports.geojson_response("projets-laureats.geojson", (project_feature(p) for p in projects if p.point))
