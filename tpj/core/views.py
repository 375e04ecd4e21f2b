from django.http import JsonResponse
from django.shortcuts import render
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "core/home.html"


class LegalPageView(TemplateView):
    """Static legal pages: mentions légales, données personnelles, accessibilité."""


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
