"""The map of the training search: where the sessions matching the search's filters take place."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from tpj.core.api import validation_error_detail
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import PUBLIC, document
from tpj.core.renderers import fast_json_renderers

from ..search import MAP_COMMUNE_SESSIONS, MAP_TITLED_SESSIONS, MAP_TITLES, SessionFilter, map_points
from .views import SEARCH_PARAMETERS, TAG

POINT = inline_serializer(
    "TrainingMapPoint",
    {
        "commune": serializers.CharField(required=False, help_text="Code INSEE de la commune (niveau « communes »)"),
        "departement": serializers.CharField(required=False, help_text="Code INSEE du département (niveau « departements »)"),
        "nom": serializers.CharField(help_text="Nom de la commune ou du département"),
        "lat": serializers.FloatField(help_text="Latitude de la commune, ou du chef-lieu du département (WGS 84)"),
        "lon": serializers.FloatField(help_text="Longitude de la commune, ou du chef-lieu du département (WGS 84)"),
        "sessions": serializers.IntegerField(help_text="Nombre de sessions dans la commune ou le département"),
        "offres": serializers.ListField(
            child=serializers.CharField(),
            required=False,
            help_text=f"Intitulés des offres de ces sessions ({MAP_TITLES} au plus), quand la recherche compte peu de sessions",
        ),
        "autres_offres": serializers.IntegerField(required=False, help_text="Nombre d'autres offres non nommées"),
    },
)


@extend_schema(tags=[TAG])
@method_decorator(transaction.non_atomic_requests, name="dispatch")  # a pure read: no transaction per request
class SessionMapView(APIView):
    """The points of the sessions matching the search (same parameters as the list): one per
    commune (or per département for a broad search) with its number of sessions, and the
    offers' titles when there are few sessions (tpj.training.search.map_points)."""

    permission_classes = [PolicyPermission]
    policy_actions = {"get": "training.view_public"}
    renderer_classes = fast_json_renderers()

    @document(
        "Lire la carte des sessions",
        "Les lieux des sessions correspondant aux filtres de la recherche (mêmes paramètres que « Rechercher des "
        "sessions » et que la page « Formations », même permalien), toutes et non la seule page de la liste. Jusqu'à "
        f"{MAP_COMMUNE_SESSIONS} sessions, un point par commune avec son nombre de sessions et, jusqu'à "
        f"{MAP_TITLED_SESSIONS} sessions, les intitulés des offres ; au-delà, un point par département, placé à son "
        "chef-lieu (`niveau` le dit). Les sessions à distance n'ont pas de point : elles sont comptées à part. Un "
        "paramètre invalide répond 400 avec un message en français.",
        access=PUBLIC,
        parameters=SEARCH_PARAMETERS,
        responses=inline_serializer(
            "TrainingMapResponse",
            {
                "niveau": serializers.ChoiceField(
                    choices=["communes", "departements"], help_text="Un point par commune, ou par département"
                ),
                "sessions": serializers.IntegerField(help_text="Nombre de sessions correspondant aux filtres"),
                "a_distance": serializers.IntegerField(help_text="Dont les sessions à distance (sans point sur la carte)"),
                "lieux": serializers.IntegerField(help_text="Nombre de points (communes ou départements)"),
                "avec_offres": serializers.BooleanField(help_text="Vrai quand les points nomment leurs offres"),
                "points": serializers.ListField(
                    child=POINT, help_text="Un point par commune ou par département, le plus grand d'abord"
                ),
            },
        ),
    )
    def get(self, request):
        try:
            filters = SessionFilter.from_query(request.query_params)
        except DjangoValidationError as error:
            return Response(validation_error_detail(error), status=status.HTTP_400_BAD_REQUEST)
        return Response(map_points(filters))
