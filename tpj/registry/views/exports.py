"""Open data exports of the directory (CSV, GeoJSON, data·inclusion)."""

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.views import View

from .. import exports
from ..filters import EntryFilter


class ExportView(View):
    """Open data: published entries and consented contacts only, with the directory filters."""

    def get(self, request, fmt):
        try:
            filters = EntryFilter.from_query(request.GET)
        except ValidationError as error:
            return JsonResponse({"detail": "Filtres invalides.", "errors": error.message_dict}, status=400)
        queryset = filters.published_entries()
        if fmt == "csv":
            return exports.csv_response(queryset)
        if fmt == "geojson":
            return exports.geojson_response(queryset)
        if fmt == "data-inclusion-structures":
            return exports.json_array_response(exports.data_inclusion_structures(queryset), "structures-data-inclusion.json")
        if fmt == "data-inclusion-services":
            return exports.json_array_response(exports.data_inclusion_services(queryset), "services-data-inclusion.json")
        raise Http404("Format inconnu.")
