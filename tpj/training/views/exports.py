"""The catalogue's open-data files (CSV, JSON, LHEO): anyone may download them, streamed."""

from django.http import Http404
from django.views import View

from tpj.core.views_mixins import PolicyRequiredMixin

from .. import exports


class CatalogueExportView(PolicyRequiredMixin, View):
    """Published offers and their sessions to come, in format `fmt` (csv, json, xml)."""

    policy_action = "training.view_public"

    def get(self, request, fmt):
        if fmt not in exports.FORMATS:
            raise Http404("Format inconnu.")
        return exports.response(fmt)
