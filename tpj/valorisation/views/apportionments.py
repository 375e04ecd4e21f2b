"""Births tables and the apportionment of posts between régions (largest remainders)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, FormView, TemplateView, View

from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin

from .. import exports, services
from ..apportionment import TIE_RULE, BirthsTableError
from ..forms import ApportionForm, BirthsImportForm
from ..models import Apportionment, BirthsTable
from .mixins import PublicMixin


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
