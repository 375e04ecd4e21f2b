from rest_framework.routers import SimpleRouter

from .api.applications import ApplicationViewSet
from .api.calls import CallViewSet

router = SimpleRouter()
router.register("calls", CallViewSet, basename="api-call")
router.register("applications", ApplicationViewSet, basename="api-application")

urlpatterns = router.urls
