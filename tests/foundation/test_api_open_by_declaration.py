"""An API endpoint is public only when its view says so: DRF's default is IsAuthenticated."""

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

# The endpoints an anonymous visitor may call, each for a reason a reviewer can check.
DECLARED_PUBLIC = {
    "SpectacularAPIView",  # the OpenAPI schema (its documentation, /api/v1/docs/, is a page of the site)
    "ObtainTokenView",  # exchanges credentials for a token
    "RegionViewSet",  # reference data (territories, nomenclatures)
    "DepartementViewSet",
    "CommuneViewSet",
    "PriorityViewSet",
    "AxisViewSet",
    "EligibilitySituationViewSet",
    "CategoryViewSet",
    "EntryKindViewSet",
    "FundingSourceViewSet",
    "TrainingThemeViewSet",
    "MapView",  # the public map of the registry
    "LaureateViewSet",  # the projetothèque (laureates are published)
}


def _api_views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None)
            if view is not None and issubclass(view, APIView):
                yield view


def test_default_permission_closes_new_endpoints(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == ["rest_framework.permissions.IsAuthenticated"]


def test_only_declared_endpoints_are_open_to_everyone():
    views = set(_api_views(get_resolver().url_patterns))
    assert views, "no API view found"
    public = {
        view.__name__
        for view in views
        if not view().get_permissions() or any(isinstance(p, AllowAny) for p in view().get_permissions())
    }
    assert public == DECLARED_PUBLIC
