"""The REST API under /api/v1/: each app contributes its own routes.

schema/ is the OpenAPI document (drf-spectacular); docs/ is its French, accessible
documentation page rendered by the site (tpj.core.views_api_docs); redoc/, the former
third-party viewer, now leads to it.
"""

from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from tpj.core.views_api_docs import ApiDocsView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(), name="api-docs"),
    path("redoc/", RedirectView.as_view(pattern_name="api-docs", permanent=True), name="api-redoc"),
    path("", include("tpj.accounts.api_urls")),
    path("", include("tpj.territories.api_urls")),
    path("", include("tpj.nomenclatures.api_urls")),
    path("", include("tpj.registry.api_urls")),
    path("", include("tpj.calls.api_urls")),
    path("training/", include("tpj.training.api_urls")),
    path("", include("tpj.valorisation.api_urls")),
    path("", include("tpj.privacy.api_urls")),
]
