from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from tpj.core.openapi import PUBLIC, document

from .models import Commune, Departement, Region
from .serializers import CommuneSerializer, DepartementSerializer, RegionSerializer

TAG = "Territoires"


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Lister les régions",
        "Les 18 régions, avec leur code INSEE, leur chef-lieu et leur zone (métropole ou outre-mer).",
        access=PUBLIC,
    ),
    retrieve=document("Lire une région", "Une région, par son code INSEE (ex. 53 pour la Bretagne).", access=PUBLIC),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]  # reference data, open to everyone
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    path_parameters = {"code": "Code INSEE de la région (ex. 53)."}


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Lister les départements",
        "Les départements, avec leur région, leur chef-lieu et leur zone ; filtrables par région.",
        access=PUBLIC,
        parameters=[OpenApiParameter("region", str, description="Code INSEE d'une région : ses départements seulement.")],
    ),
    retrieve=document("Lire un département", "Un département, par son code INSEE (ex. 35, 2A, 971).", access=PUBLIC),
)
class DepartementViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]  # reference data, open to everyone
    queryset = Departement.objects.all()  # for the schema; filtered in get_queryset
    serializer_class = DepartementSerializer
    path_parameters = {"code": "Code INSEE du département (ex. 35, 2A, 971)."}

    def get_queryset(self):
        departements = Departement.objects.all()
        if region := self.request.query_params.get("region"):
            departements = departements.filter(region_id=region)
        return departements


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Rechercher des communes",
        "Les communes, avec leurs codes postaux, leur population et leurs coordonnées ; recherche par nom ou code "
        "postal, filtre par département. Sans recherche, triées par code INSEE.",
        access=PUBLIC,
        parameters=[
            OpenApiParameter("q", str, description="Nom ou code postal (insensible aux accents et à la casse)"),
            OpenApiParameter("departement", str, description="Code du département"),
        ],
    ),
    retrieve=document("Lire une commune", "Une commune, par son code INSEE (ex. 35238 pour Rennes).", access=PUBLIC),
)
class CommuneViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]  # reference data, open to everyone
    queryset = Commune.objects.all()  # for the schema; searched in get_queryset
    serializer_class = CommuneSerializer
    path_parameters = {"insee_code": "Code INSEE de la commune (5 caractères, ex. 35238)."}

    def get_queryset(self):
        params = self.request.query_params
        communes = Commune.objects.search(params["q"]) if params.get("q") else Commune.objects.order_by("insee_code")
        if departement := params.get("departement"):
            communes = communes.filter(departement_id=departement)
        return communes
