"""The REST API under /api/v1/: each app contributes its own routes."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),  # no inline script (CSP)
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("tpj.accounts.api_urls")),
    path("", include("tpj.territories.api_urls")),
    path("", include("tpj.nomenclatures.api_urls")),
    path("", include("tpj.registry.api_urls")),
    path("", include("tpj.calls.api_urls")),
    path("", include("tpj.valorisation.api_urls")),
    path("", include("tpj.privacy.api_urls")),
]
