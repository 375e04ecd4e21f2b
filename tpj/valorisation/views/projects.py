"""Projetothèque (public): list and map of laureate projects, permalinks, exports, coups de cœur."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView, View

from tpj.accounts.models import Organisation
from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.nomenclatures.models import Axis
from tpj.territories.models import Departement, Region

from .. import exports, services
from ..models import Highlight
from ..project_columns import PROJECTS_HEADER, decorate, decorate_card, page_url, project_feature, project_row
from ..projects import ProjectFilter, project_cards, public_laureates, public_projects
from .mixins import PublicMixin


def filtered(request) -> tuple[ProjectFilter, list]:
    filters = ProjectFilter.from_query(request.GET)
    return filters, [decorate(p) for p in filters.select(public_projects())]


def bad_filters(error: ValidationError) -> JsonResponse:
    return JsonResponse({"detail": "Filtres invalides.", "errors": error.message_dict}, status=400)


@method_decorator(transaction.non_atomic_requests, name="dispatch")  # a pure read: no transaction per request
class ProjectListView(PublicMixin, TemplateView):
    template_name = "valorisation/projects.html"

    def get(self, request, *args, **kwargs):
        try:
            filters = ProjectFilter.from_query(request.GET)
        except ValidationError as error:
            filters, projects = ProjectFilter(), []
            messages.error(request, "Filtres invalides : " + " ".join(m for ms in error.message_dict.values() for m in ms))
        else:
            # The database filters (the text too: `ProjectSearchText`), counts and pages the
            # laureates: only the page's 20 projects are read, with what their cards show.
            projects = filters.apply(project_cards())
        paginator = Paginator(projects, 20)
        page = paginator.get_page(request.GET.get("page"))
        for project in page.object_list:
            decorate_card(project)
        years = public_laureates().order_by("-call__campaign__year").values_list("call__campaign__year", flat=True).distinct()
        departements = Departement.objects.filter(region_id=filters.region) if filters.region else Departement.objects.all()
        highlights = Highlight.objects.filter(application__in=public_laureates()).select_related(
            "region", "application__organisation"
        )
        return self.render_to_response(
            {
                "filters": filters,
                "page_obj": page,
                "projects": page.object_list,
                "count": paginator.count,
                "querystring": filters.querystring(),
                "regions": Region.objects.all(),
                "departements": departements,
                "axes": Axis.objects.all(),
                "years": years,
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
