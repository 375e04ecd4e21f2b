from rest_framework.routers import SimpleRouter

from .api.views import OfferViewSet, SessionViewSet

router = SimpleRouter()
router.register("offers", OfferViewSet, basename="api-training-offer")
router.register("sessions", SessionViewSet, basename="api-training-session")

urlpatterns = router.urls
