from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView

from .accessibility import compliance, current_audit

# (URL name, title, description): the home page's card for each module, in reading order.
MODULES = [
    (
        "registry:directory",
        "Annuaire & carte des 1000 premiers jours en action",
        "Professionnels et services s'enregistrent, prouvent la confiance d'un organisme public, déclarent leurs "
        "priorités, sont vérifiés, reçoivent le logo et apparaissent sur la carte.",
    ),
    (
        "calls:index",
        "Appels à projets régionaux",
        "Le cycle complet des appels à projets des ARS et des DREETS : déclaration d'intention, cahier des charges, "
        "candidatures, instruction, jury, enveloppes, lauréats et transmission.",
    ),
    (
        "valorisation:index",
        "Valorisation & pilotage national",
        "La projetothèque et la carte des projets lauréats, le tableau de bord national, la bibliothèque partagée des "
        "appels et le suivi des mesures nationales.",
    ),
]


class HomeView(TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        cards = [
            {"title": title, "description": description, "link": reverse(name), "heading_tag": "h2"}
            for name, title, description in MODULES
        ]
        return {**super().get_context_data(**kwargs), "cards": cards}


class LegalPageView(TemplateView):
    """Static legal pages: mentions légales, données personnelles, plan du site."""


class AccessibilityStatementView(TemplateView):
    """The déclaration d'accessibilité (RGAA model), read from the audit data (tpj.core.accessibility)."""

    template_name = "core/accessibility.html"

    def get_context_data(self, **kwargs):
        audit = current_audit()
        topics = [(topic, compliance(topic.criteria)) for topic in audit.topics]
        return {**super().get_context_data(**kwargs), "audit": audit, "result": audit.compliance, "topics": topics}


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Ressource introuvable."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"detail": "Erreur inattendue du serveur. Aucune donnée partiellement saisie n'a été enregistrée."}, status=500
        )
    return render(request, "500.html", status=500)
