"""Map API: what the directory map shows for a zone and a zoom level."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tpj.core.api import validation_error_detail
from tpj.core.openapi import PUBLIC, document
from tpj.core.renderers import fast_json_renderers

from .. import mapdata
from ..filters import EntryFilter
from .common import FILTER_PARAMETERS, TAG


@extend_schema(tags=[TAG])
@method_decorator(transaction.non_atomic_requests, name="dispatch")  # a pure read: no transaction per request
class MapView(APIView):
    """Map features for a bounding box and zoom: counts by région, département, grid
    cluster, then points — a few thousand features at most, whatever the filters."""

    permission_classes = [AllowAny]
    renderer_classes = fast_json_renderers()

    @document(
        "Lire la carte de l'annuaire",
        "Ce que la carte affiche pour une zone et un niveau de zoom, avec les filtres de l'annuaire : des comptes "
        "par région, par département, par carreau, puis les points eux-mêmes — quelques milliers d'éléments au "
        "plus, quels que soient les filtres. `level` dit lequel.",
        access=PUBLIC,
        parameters=[
            OpenApiParameter("zoom", OpenApiTypes.INT, description="Niveau de zoom (0 à 22, 5 par défaut)"),
            *FILTER_PARAMETERS,
        ],
        responses=inline_serializer(
            "MapResponse",
            {
                "level": serializers.CharField(help_text="Niveau de détail : régions, départements, carreaux ou points"),
                "zoom": serializers.IntegerField(help_text="Niveau de zoom appliqué"),
                "total": serializers.IntegerField(help_text="Nombre de fiches correspondant aux filtres"),
                "territories": serializers.ListField(
                    child=serializers.DictField(), required=False, help_text="Comptes par région ou département"
                ),
                "clusters": serializers.ListField(
                    child=serializers.ListField(), required=False, help_text="[latitude, longitude, nombre]"
                ),
                "points": serializers.ListField(
                    child=serializers.ListField(), required=False, help_text="[id, latitude, longitude]"
                ),
            },
        ),
    )
    def get(self, request):
        try:
            filters = EntryFilter.from_query(request.query_params)
            zoom = int(request.query_params.get("zoom", "5"))
            if not 0 <= zoom <= 22:
                raise ValueError
        except DjangoValidationError as error:
            return Response(validation_error_detail(error), status=status.HTTP_400_BAD_REQUEST)
        except ValueError:
            return Response({"zoom": ["Le zoom est un entier entre 0 et 22."]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(mapdata.map_data(filters, zoom))
