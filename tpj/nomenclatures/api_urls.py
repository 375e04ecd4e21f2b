from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("priorities", api.PriorityViewSet, basename="priority")
router.register("axes", api.AxisViewSet, basename="axis")
router.register("eligibility-situations", api.EligibilitySituationViewSet, basename="eligibility-situation")
router.register("categories", api.CategoryViewSet, basename="category")
router.register("entry-kinds", api.EntryKindViewSet, basename="entry-kind")
router.register("funding-sources", api.FundingSourceViewSet, basename="funding-source")
router.register("training-themes", api.TrainingThemeViewSet, basename="training-theme")
urlpatterns = router.urls
