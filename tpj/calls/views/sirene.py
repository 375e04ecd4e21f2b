"""The carrier's identity from its SIRET (Sirene register), for the application form."""

from django.views.generic import TemplateView

from tpj.core.sirene import lookup
from tpj.core.views_mixins import PolicyRequiredMixin


class SireneLookupView(PolicyRequiredMixin, TemplateView):
    """« Rechercher »: the SIRET's legal name, address, legal form and activity.

    htmx gets the card to put under the SIRET field; without JavaScript, the link opens this
    page, with a field to look up another SIRET."""

    policy_action = "calls.apply"

    def get_template_names(self):
        return ["calls/_sirene_card.html" if self.request.htmx else "calls/sirene_lookup.html"]

    def get_context_data(self, **kwargs):
        siret = (self.request.GET.get("siret") or self.request.GET.get("carrier_siret") or "").strip()[:40]
        return {"siret": siret, "result": lookup(siret) if siret else None}
