from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from .models import Commune, Departement, Region
from .serializers import CommuneSerializer, DepartementSerializer, RegionSerializer


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]  # reference data, open to everyone
    queryset = Region.objects.all()
    serializer_class = RegionSerializer


class DepartementViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]  # reference data, open to everyone
    queryset = Departement.objects.all()  # for the schema; filtered in get_queryset
    serializer_class = DepartementSerializer

    def get_queryset(self):
        departements = Departement.objects.all()
        if region := self.request.query_params.get("region"):
            departements = departements.filter(region_id=region)
        return departements


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Nom ou code postal (insensible aux accents et à la casse)"),
            OpenApiParameter("departement", str, description="Code du département"),
        ]
    )
)
class CommuneViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]  # reference data, open to everyone
    queryset = Commune.objects.all()  # for the schema; searched in get_queryset
    serializer_class = CommuneSerializer

    def get_queryset(self):
        params = self.request.query_params
        communes = Commune.objects.search(params["q"]) if params.get("q") else Commune.objects.order_by("insee_code")
        if departement := params.get("departement"):
            communes = communes.filter(departement_id=departement)
        return communes
