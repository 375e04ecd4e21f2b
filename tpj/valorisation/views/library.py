"""Shared library of calls: every regional call, in preparation or launched, readable by the call
managers of every région and the national team — so régions can copy what works."""

from django.db.models import Prefetch
from django.http import Http404
from django.views.generic import TemplateView, View

from tpj.calls.models import Call, CallAxis
from tpj.core.text import normalize
from tpj.core.uploads import serve_upload
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.nomenclatures.models import Axis
from tpj.territories.models import Region

from ..dashboard import campaigns


def library_calls():
    """Every regional call with what the library shows (no N+1), newest campaign first."""
    return (
        Call.objects.select_related("region", "campaign", "required_axis")
        .prefetch_related(
            Prefetch("axes", queryset=CallAxis.objects.prefetch_related("national_axes")),
            "criteria",
            "target_departements",
            "target_communes",
        )
        .order_by("-campaign__year", "region__name", "strand")
    )


def call_search_text(call) -> str:
    parts = [
        call.title,
        call.summary,
        call.region.name,
        *(a.label for a in call.axes.all()),
        *(c.label for c in call.criteria.all()),
        *call.targeting_labels(),
    ]
    return normalize(" ".join(parts))


class LibraryMixin(PolicyRequiredMixin):
    policy_action = "valorisation.view_library"


class LibraryView(LibraryMixin, TemplateView):
    template_name = "valorisation/library.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        calls = library_calls()
        region, state, year, axis = (params.get(k, "").strip() for k in ("region", "etat", "annee", "axe"))
        if region:
            calls = calls.filter(region_id=region)
        if state == "preparation":
            calls = calls.filter(state=Call.State.DRAFT)
        elif state == "lance":
            calls = calls.exclude(state=Call.State.DRAFT)
        if year.isdigit():
            calls = calls.filter(campaign__year=int(year))
        if axis.isdigit():
            calls = calls.filter(axes__national_axes__number=int(axis)).distinct()
        words = normalize(params.get("q", "")).split()
        results = [c for c in calls if all(w in call_search_text(c) for w in words)]
        return {
            **super().get_context_data(**kwargs),
            "calls": results,
            "regions": Region.objects.all(),
            "axes": Axis.objects.all(),
            "campaigns": campaigns(),
            "params": {"q": params.get("q", ""), "region": region, "etat": state, "annee": year, "axe": axis},
        }


class LibraryCallView(LibraryMixin, TemplateView):
    template_name = "valorisation/library_call.html"

    def get_context_data(self, **kwargs):
        call = library_calls().filter(pk=self.kwargs["pk"]).first()
        if call is None:
            raise Http404("Appel à projets introuvable.")
        return {**super().get_context_data(**kwargs), "call": call}


class LibraryDocumentView(LibraryMixin, View):
    """The call's cahier des charges, for managers of any région (even while the call is in preparation)."""

    def get(self, request, pk):
        call = library_calls().filter(pk=pk).first()
        if call is None or not call.cahier_des_charges:
            raise Http404("Ce document n'existe pas.")
        return serve_upload(
            call.cahier_des_charges, filename=f"cahier-des-charges-{call.campaign.year}-{call.region_id}-{call.strand}.pdf"
        )
