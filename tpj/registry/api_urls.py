from django.urls import path
from rest_framework.routers import SimpleRouter

from tpj.core.public_cache.marking import public_read
from tpj.core.public_cache.versions import REGISTRY

from .api.entries import EntryViewSet
from .api.map import MapView

router = SimpleRouter()
router.register("entries", EntryViewSet, basename="api-registry-entry")

# The map, the search (list) and an entry's read (retrieve) are served to anonymous
# clients from the public cache (tpj/core/public_cache); their writes are never cached.
PUBLIC_READS = {"api-registry-entry-list", "api-registry-entry-detail"}
for url in router.urls:
    if url.name in PUBLIC_READS:
        public_read(REGISTRY)(url.callback)

urlpatterns = [
    path("map/", public_read(REGISTRY)(MapView.as_view()), name="api-registry-map"),
    *router.urls,
]
