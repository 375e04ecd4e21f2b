from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("regions", api.RegionViewSet, basename="region")
router.register("departements", api.DepartementViewSet, basename="departement")
router.register("communes", api.CommuneViewSet, basename="commune")
urlpatterns = router.urls
