"""Open data exports of the directory (CSV, GeoJSON, data·inclusion).

Their addresses stay public. Without filters (the whole directory, the open-data
catalogue's files) the file the workers regenerate regularly is served when it is not older
than the directory's last change; otherwise, and with filters, the export is streamed row by
row as it is read (constant memory). Signed-in users can also have any filter state prepared
as a file (« Préparer le fichier », tpj.downloads)."""

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.views import View

from tpj.core.uploads import serve_upload
from tpj.downloads.services import latest_public

from .. import exports
from ..downloads import filters_of, public_kind
from ..filters import EntryFilter


class ExportView(View):
    """Open data: published entries and consented contacts only, with the directory filters."""

    def get(self, request, fmt):
        if fmt not in exports.FORMATS:
            raise Http404("Format inconnu.")
        try:
            filters = EntryFilter.from_query(request.GET)
        except ValidationError as error:
            return JsonResponse({"detail": "Filtres invalides.", "errors": error.message_dict}, status=400)
        if not filters_of(request.GET) and (prepared := latest_public(public_kind(fmt))):
            return serve_upload(prepared.file, filename=prepared.filename, content_type=prepared.content_type)
        return exports.response(fmt, filters.published_entries())
