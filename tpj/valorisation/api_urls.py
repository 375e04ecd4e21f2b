from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import apportionments, dashboard, laureates, measures

router = SimpleRouter()
router.register("measures", measures.MeasureViewSet, basename="api-measure")
router.register(r"measures/(?P<measure_pk>\d+)/deployments", measures.DeploymentViewSet, basename="api-measure-deployment")
router.register("apportionments", apportionments.ApportionmentViewSet, basename="api-apportionment")
router.register("laureates", laureates.LaureateViewSet, basename="api-laureate")

urlpatterns = [
    path("dashboard/", dashboard.DashboardAPIView.as_view(), name="api-dashboard"),
    *router.urls,
]
