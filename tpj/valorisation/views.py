"""Module 3 pages. Views stay thin: figures come from querysets/services, access from the policy."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.territories.models import Departement, Region

from . import exports, opendata, services
from .apportionment import TIE_RULE, BirthsTableError
from .forms import ApportionForm, BirthsImportForm, DeploymentForm
from .models import Apportionment, BirthsTable, Deployment, Measure


class PublicMixin(PolicyRequiredMixin):
    policy_action = "valorisation.view_public"


# (URL name, title, text, restricted): the landing page's cards, in reading order.
SECTIONS = [
    (
        "valorisation:projects",
        "Projetothèque et carte des projets",
        "Les projets lauréats des appels à projets régionaux, sur une carte et dans un catalogue filtrable, avec le coup de "
        "cœur de chaque région.",
        False,
    ),
    (
        "valorisation:priorities",
        "Les 10 priorités",
        "Chaque priorité expliquée et illustrée par des projets lauréats et des professionnels vérifiés près de chez vous.",
        False,
    ),
    (
        "valorisation:dashboard",
        "Tableau de bord national",
        "Par région : déclarations, appels et calendrier, enveloppes, candidatures, lauréats, transmission ; couverture de "
        "l'annuaire et file de modération.",
        True,
    ),
    (
        "valorisation:library",
        "Bibliothèque des appels à projets",
        "Les appels de toutes les régions, en préparation ou lancés, avec leurs documents, axes, ciblage et critères.",
        True,
    ),
    (
        "valorisation:measures",
        "Mesures nationales",
        "Les mesures déployées par les ARS, leur cible nationale, les déploiements par région et la répartition des postes "
        "des staffs médico-psycho-sociaux des maternités.",
        False,
    ),
    (
        "valorisation:apportionments",
        "Répartition des postes selon les naissances",
        "La répartition des 100 postes entre régions au prorata des parturientes, par la méthode des plus forts restes.",
        False,
    ),
    (
        "valorisation:opendata",
        "Données ouvertes",
        "Tous les exports publics de la plateforme, avec leur schéma, leur licence (Licence Ouverte 2.0) et leur date de mise à jour.",
        False,
    ),
]


class IndexView(PublicMixin, TemplateView):
    template_name = "valorisation/index.html"

    def get_context_data(self, **kwargs):
        cards = [
            {"url": reverse(name), "title": title, "text": text, "restricted": restricted}
            for name, title, text, restricted in SECTIONS
        ]
        return {**super().get_context_data(**kwargs), "cards": cards}


# --- national measures ----------------------------------------------------------------


class MeasureListView(PublicMixin, TemplateView):
    template_name = "valorisation/measures.html"

    def get_context_data(self, **kwargs):
        departement_total = Departement.objects.count()
        measures = list(Measure.objects.with_progress())
        for m in measures:
            m.stats = m.progress(departement_total)
        return {
            **super().get_context_data(**kwargs),
            "measures": measures,
            "latest_apportionment": Apportionment.objects.select_related("births_table").first(),
            "may_apportion": policy.check(self.request.user, "valorisation.apportion"),
        }


class MeasuresCsvView(PublicMixin, View):
    def get(self, request):
        return exports.csv_response(
            "mesures-nationales.csv",
            exports.MEASURES_HEADER,
            exports.measure_rows(Measure.objects.with_progress(), Departement.objects.count()),
        )


class MeasureMixin:
    @cached_property
    def measure(self):
        return get_object_or_404(Measure.objects.with_progress(), slug=self.kwargs["slug"])

    def deployments(self):
        deployments = self.measure.deployments.select_related("region", "departement", "commune")
        if region := self.request.GET.get("region"):
            deployments = deployments.filter(region_id=region)
        return deployments


class MeasureDetailView(PublicMixin, MeasureMixin, ListView):
    template_name = "valorisation/measure_detail.html"
    paginate_by = 50

    def get_queryset(self):
        return self.deployments()

    def get_context_data(self, **kwargs):
        measure = self.measure
        measure.stats = measure.progress()
        by_region = {
            row["region_id"]: row
            for row in measure.deployments.values("region_id").annotate(
                count=Count("id"), quantity=Sum("quantity"), amount=Sum("amount")
            )
        }
        allocation = {}
        apportionment = measure.apportionments.select_related("births_table").first() if measure.apportioned else None
        if apportionment:
            allocation = dict(apportionment.allocations.values_list("region_id", "seats"))
        regions = [
            {
                "region": region,
                **by_region.get(region.code, {"count": 0, "quantity": 0, "amount": 0}),
                "allocated": allocation.get(region.code),
            }
            for region in Region.objects.all()
        ]
        user = self.request.user
        may_record = policy.check(user, "valorisation.record_deployment")
        form = None
        if may_record:
            form = kwargs.get("form") or DeploymentForm(regions=services.recordable_regions(user))
        return {
            **super().get_context_data(**kwargs),
            "measure": measure,
            "regions": regions,
            "apportionment": apportionment,
            "form": form,
            "all_regions": Region.objects.all(),
            "selected_region": self.request.GET.get("region", ""),
        }


class DeploymentCreateView(PolicyRequiredMixin, MeasureMixin, FormView):
    policy_action = "valorisation.record_deployment"
    form_class = DeploymentForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "regions": services.recordable_regions(self.request.user)}

    def get(self, request, *args, **kwargs):
        return redirect("valorisation:measure", slug=self.measure.slug)

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.record_deployment(user=self.request.user, measure=self.measure, data=data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        except policy.PermissionDenied as error:
            form.add_error("region", str(error))
            return self.form_invalid(form)
        messages.success(self.request, "Le déploiement est enregistré.")
        return redirect("valorisation:measure", slug=self.measure.slug)

    def form_invalid(self, form):
        view = MeasureDetailView(request=self.request, kwargs=self.kwargs, args=())
        view.object_list = view.get_queryset()
        response = view.render_to_response(view.get_context_data(form=form))
        response.status_code = 400
        return response


class DeploymentsCsvView(PublicMixin, MeasureMixin, View):
    def get(self, request, slug):
        return exports.csv_response(
            f"deploiements-{slug}.csv", exports.DEPLOYMENTS_HEADER, exports.deployment_rows(self.deployments())
        )


# --- births and apportionment -------------------------------------------------------------


class ApportionmentListView(PublicMixin, TemplateView):
    template_name = "valorisation/apportionments.html"

    def get_context_data(self, **kwargs):
        may = policy.check(self.request.user, "valorisation.apportion")
        return {
            **super().get_context_data(**kwargs),
            "apportionments": Apportionment.objects.select_related("births_table", "measure"),
            "tables": BirthsTable.objects.annotate(total_births=Sum("counts__births")),
            "may_apportion": may,
            "form": kwargs.get("form") or (BirthsImportForm() if may else None),
            "tie_rule": TIE_RULE,
        }


class BirthsImportView(PolicyRequiredMixin, FormView):
    policy_action = "valorisation.apportion"
    form_class = BirthsImportForm

    def get(self, request, *args, **kwargs):
        return redirect("valorisation:apportionments")

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            table = services.import_births(
                user=self.request.user,
                year=data["year"],
                source=data["source"],
                births=form.births,
                filename=data["file"].name[:255],
            )
            if data.get("total"):
                result = services.apportion(user=self.request.user, table=table, total=data["total"])
                messages.success(self.request, f"Naissances {table.year} importées ; {result.total} postes répartis.")
                return redirect("valorisation:apportionment", pk=result.pk)
        except BirthsTableError as error:
            form.add_error("file", error.errors)
            return self.form_invalid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Naissances {table.year} importées.")
        return redirect("valorisation:births", pk=table.pk)

    def form_invalid(self, form):
        view = ApportionmentListView(request=self.request, kwargs={}, args=())
        response = view.render_to_response(view.get_context_data(form=form))
        response.status_code = 400
        return response


class BirthsTableView(PublicMixin, DetailView):
    template_name = "valorisation/births_table.html"
    model = BirthsTable
    context_object_name = "table"

    def get_context_data(self, **kwargs):
        may = policy.check(self.request.user, "valorisation.apportion")
        return {
            **super().get_context_data(**kwargs),
            "counts": self.object.counts.select_related("region"),
            "apportionments": self.object.apportionments.all(),
            "may_apportion": may,
            "form": kwargs.get("form") or (ApportionForm(initial={"total": 100}) if may else None),
        }


class ApportionView(PolicyRequiredMixin, FormView):
    """Recompute an apportionment of a births table for a given total."""

    policy_action = "valorisation.apportion"
    form_class = ApportionForm

    def get(self, request, *args, **kwargs):
        return redirect("valorisation:births", pk=kwargs["pk"])

    def form_valid(self, form):
        table = get_object_or_404(BirthsTable, pk=self.kwargs["pk"])
        try:
            result = services.apportion(user=self.request.user, table=table, total=form.cleaned_data["total"])
        except ValidationError as error:
            form.add_error("total", error.message_dict.get("total", error.messages))
            return self.form_invalid(form)
        messages.success(self.request, f"{result.total} postes répartis selon les naissances {table.year}.")
        return redirect("valorisation:apportionment", pk=result.pk)

    def form_invalid(self, form):
        view = BirthsTableView(request=self.request, kwargs=self.kwargs, args=())
        view.object = get_object_or_404(BirthsTable, pk=self.kwargs["pk"])
        response = view.render_to_response(view.get_context_data(form=form))
        response.status_code = 400
        return response


class ApportionmentDetailView(PublicMixin, DetailView):
    template_name = "valorisation/apportionment_detail.html"
    queryset = Apportionment.objects.select_related("births_table", "measure", "created_by")
    context_object_name = "apportionment"

    def get_context_data(self, **kwargs):
        allocations = list(self.object.allocations.select_related("region").order_by("-seats", "region__name"))
        top = max((a.seats for a in allocations), default=0) or 1
        for a in allocations:
            a.bar = round(100 * a.seats / top)
        return {**super().get_context_data(**kwargs), "allocations": allocations, "tie_rule": TIE_RULE}


class ApportionmentCsvView(PublicMixin, View):
    def get(self, request, pk):
        apportionment = get_object_or_404(Apportionment.objects.select_related("births_table"), pk=pk)
        filename = f"repartition-{apportionment.total}-postes-naissances-{apportionment.births_table.year}.csv"
        return exports.csv_response(filename, exports.ALLOCATION_HEADER, exports.allocation_rows(apportionment))


# --- open data ----------------------------------------------------------------------------


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
                }
            )
        return JsonResponse({"jeux_de_donnees": items}, json_dumps_params={"ensure_ascii": False})


class ScdlView(PublicMixin, View):
    """SCDL « subventions » of every transmitted call, all régions (rows built by Module 2)."""

    def get(self, request):
        from tpj.calls.exports import SCDL_FIELDS, scdl_rows
        from tpj.calls.models import Call

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
