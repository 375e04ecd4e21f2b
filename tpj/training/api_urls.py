from django.urls import path
from rest_framework.routers import SimpleRouter

from .api.map import SessionMapView
from .api.moderation import ModerationViewSet
from .api.offers_write import MyOfferViewSet
from .api.organisations import OrganisationViewSet
from .api.plans import PlanViewSet
from .api.reports import ReportViewSet
from .api.views import OfferViewSet, SessionViewSet

router = SimpleRouter()
router.register("offers", OfferViewSet, basename="api-training-offer")
router.register("sessions", SessionViewSet, basename="api-training-session")
# The write side of the journeys (issue 20): organisations, their offers, moderation, plans, bilans.
router.register("organisations", OrganisationViewSet, basename="api-training-organisation")
router.register("my-offers", MyOfferViewSet, basename="api-training-my-offer")
router.register("moderation", ModerationViewSet, basename="api-training-moderation")
router.register("plans", PlanViewSet, basename="api-training-plan")
router.register("reports", ReportViewSet, basename="api-training-report")

urlpatterns = router.urls
urlpatterns.append(path("carte/", SessionMapView.as_view(), name="api-training-session-map"))
