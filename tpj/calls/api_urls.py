from rest_framework.routers import SimpleRouter

from .api import ApplicationViewSet, CallViewSet, LaureateViewSet

router = SimpleRouter()
router.register("calls", CallViewSet, basename="api-call")
router.register("applications", ApplicationViewSet, basename="api-application")
router.register("laureates", LaureateViewSet, basename="api-laureate")

urlpatterns = router.urls
