"""The open data page, its machine-readable catalogue and the stable URLs of the public exports."""

from django.http import Http404, JsonResponse
from django.views.generic import TemplateView, View

from tpj.calls.exports import SCDL_FIELDS, scdl_rows
from tpj.calls.models import Call

from .. import exports, opendata
from ..models import Apportionment, Deployment
from .apportionments import ApportionmentCsvView
from .mixins import PublicMixin


class OpenDataView(PublicMixin, TemplateView):
    template_name = "valorisation/opendata.html"

    def get_context_data(self, **kwargs):
        rows = [
            {"dataset": d, "url": d.url(), "updated": d.last_update(), "columns": opendata.documented(d.columns)}
            for d in opendata.datasets()
        ]
        return {**super().get_context_data(**kwargs), "rows": rows, "licence": opendata.LICENCE}


class OpenDataCatalogueView(PublicMixin, View):
    """The same catalogue, machine-readable (JSON)."""

    def get(self, request):
        items = []
        for d in opendata.datasets():
            updated = d.last_update()
            items.append(
                {
                    "identifiant": d.slug,
                    "titre": d.title,
                    "description": d.description,
                    "producteur": d.producer,
                    "format": d.format,
                    "url": d.url(),
                    "licence": opendata.LICENCE,
                    "mise_a_jour": updated.isoformat() if updated else None,
                    "schema": d.schema_url or [{"nom": n, "description": doc} for n, doc in opendata.documented(d.columns)],
                    "remarque": d.note or None,
                }
            )
        return JsonResponse({"jeux_de_donnees": items}, json_dumps_params={"ensure_ascii": False})


class ScdlView(PublicMixin, View):
    """SCDL « subventions » of every transmitted call, all régions (rows built by Module 2)."""

    def get(self, request):
        calls = (
            Call.objects.filter(state=Call.State.TRANSMITTED)
            .select_related("campaign", "region")
            .order_by("campaign__year", "region_id")
        )
        rows = ([row[name] for name in SCDL_FIELDS] for call in calls for row in scdl_rows(call))
        return exports.csv_response("subventions-aap-1000-premiers-jours.csv", SCDL_FIELDS, rows, delimiter=",", bom=False)


class LatestApportionmentCsvView(PublicMixin, View):
    """Stable URL of the latest apportionment of posts."""

    def get(self, request):
        latest = Apportionment.objects.order_by("-created_at", "-id").first()
        if latest is None:
            raise Http404("Aucune répartition n'a encore été calculée.")
        return ApportionmentCsvView().get(request, latest.pk)


class AllDeploymentsCsvView(PublicMixin, View):
    def get(self, request):
        return exports.csv_response(
            "deploiements-mesures-nationales.csv",
            exports.DEPLOYMENTS_HEADER,
            exports.deployment_rows(Deployment.objects.order_by("measure__position", "-date")),
        )
