from django.urls import path
from rest_framework.routers import SimpleRouter

from tpj.core.public_cache.marking import public_read
from tpj.core.public_cache.versions import TRAINING

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

# The catalogue's reads (offers, sessions, the map) are served to anonymous clients from the
# public cache (tpj/core/public_cache); the journeys' writes and personal reads never are.
PUBLIC_READS = {
    "api-training-offer-list",
    "api-training-offer-detail",
    "api-training-session-list",
    "api-training-session-detail",
}
for url in router.urls:
    if url.name in PUBLIC_READS:
        public_read(TRAINING)(url.callback)

urlpatterns = [
    *router.urls,
    path("carte/", public_read(TRAINING)(SessionMapView.as_view()), name="api-training-session-map"),
]
