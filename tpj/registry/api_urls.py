from django.urls import path
from rest_framework.routers import SimpleRouter

from .api.entries import EntryViewSet
from .api.map import MapView

router = SimpleRouter()
router.register("entries", EntryViewSet, basename="api-registry-entry")

urlpatterns = [
    path("map/", MapView.as_view(), name="api-registry-map"),
    *router.urls,
]
