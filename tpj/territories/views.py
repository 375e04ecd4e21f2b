from django.views.generic import TemplateView

from .models import Commune


class CommuneAutocompleteView(TemplateView):
    """htmx fragment: the communes matching what the user typed, for any address field."""

    template_name = "territories/commune_options.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q") or self.request.GET.get("commune_search") or ""
        return {"communes": Commune.objects.search(query).select_related("departement")[:10] if len(query) >= 2 else []}
