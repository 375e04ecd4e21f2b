from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("entries", api.EntryViewSet, basename="api-registry-entry")

urlpatterns = [
    path("map/", api.MapView.as_view(), name="api-registry-map"),
    *router.urls,
]
