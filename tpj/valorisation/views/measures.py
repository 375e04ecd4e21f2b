"""National measures: their progress, each measure's deployments by région, recording a deployment."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View

from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.territories.models import Departement, Region

from .. import exports, services
from ..forms import DeploymentForm
from ..models import Apportionment, Measure
from ..permissions import regions_in_scope
from .mixins import PublicMixin


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
            form = kwargs.get("form") or DeploymentForm(regions=regions_in_scope(user))
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
        return {**super().get_form_kwargs(), "regions": regions_in_scope(self.request.user)}

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
