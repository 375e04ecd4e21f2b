from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("measures", api.MeasureViewSet, basename="api-measure")
router.register(r"measures/(?P<measure_pk>\d+)/deployments", api.DeploymentViewSet, basename="api-measure-deployment")
router.register("apportionments", api.ApportionmentViewSet, basename="api-apportionment")
router.register("laureates", api.LaureateViewSet, basename="api-laureate")

urlpatterns = [
    path("dashboard/", api.DashboardAPIView.as_view(), name="api-dashboard"),
    *router.urls,
]
