"""The training catalogue API: published offers and the search of their sessions (read only)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError

from tpj.core.api import Pagination, validation_error_detail
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import PUBLIC, document

from ..models import Offer
from ..search import COUNT_CAP, CappedPaginator, SessionFilter
from .serializers import OfferSerializer, SessionWithOfferSerializer

TAG = "Offre de formation"

SEARCH_PARAMETERS = [
    OpenApiParameter("theme", OpenApiTypes.INT, many=True, description="Numéro de thème du plan de formation (1 à 7), répétable"),
    OpenApiParameter(
        "public",
        OpenApiTypes.STR,
        many=True,
        description="Public : eaje, assistant_maternel, garde_domicile, animateur_rpe, autre",
    ),
    OpenApiParameter("modalite", OpenApiTypes.STR, many=True, description="Modalité : presentiel, distanciel, mixte"),
    OpenApiParameter(
        "financement",
        OpenApiTypes.STR,
        many=True,
        description="Voie de financement : volet_national, volet_territorial, opco, employeur, autre",
    ),
    OpenApiParameter("du", OpenApiTypes.DATE, description="Sessions finissant ce jour ou après (par défaut : aujourd'hui)"),
    OpenApiParameter("au", OpenApiTypes.DATE, description="Sessions commençant ce jour ou avant"),
    OpenApiParameter("region", OpenApiTypes.STR, description="Code INSEE de région"),
    OpenApiParameter("departement", OpenApiTypes.STR, description="Code INSEE de département"),
    OpenApiParameter("autour", OpenApiTypes.STR, description="Commune de référence : code INSEE, code postal ou nom"),
    OpenApiParameter("km", OpenApiTypes.NUMBER, description="Rayon autour de la commune (km, 30 par défaut, 200 au plus)"),
    OpenApiParameter(
        "a_distance", OpenApiTypes.STR, description="1 : inclure les sessions à distance dans une recherche par territoire"
    ),
    OpenApiParameter("q", OpenApiTypes.STR, description="Texte libre (insensible aux accents et à la casse)"),
    OpenApiParameter("tri", OpenApiTypes.STR, description="date (par défaut) ou distance (avec « autour »)"),
]


class CataloguePagination(Pagination):
    page_size = 20


class SessionPagination(CataloguePagination):
    """The search's pages: `count` stops at COUNT_CAP, and `count_capped` says there are more."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count"]["description"] = (
            f"Nombre de sessions trouvées, compté jusqu'à {COUNT_CAP} (les pages vont jusque-là)"
        )
        result["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"Vrai quand il y a plus de {COUNT_CAP} sessions : précisez les filtres",
        }
        return result


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Lister les offres publiées", "Les offres de formation publiées, par intitulé, avec leurs sessions.", access=PUBLIC
    ),
    retrieve=document(
        "Lire une offre publiée",
        "Une offre de formation publiée et ses sessions. Une offre non publiée répond 404.",
        access=PUBLIC,
    ),
)
class OfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [PolicyPermission]
    policy_actions = {"list": "training.view_public", "retrieve": "training.view_public"}
    serializer_class = OfferSerializer
    pagination_class = CataloguePagination
    path_parameters = {"id": "Numéro de l'offre"}

    def get_queryset(self):
        return (
            Offer.objects.published()
            # Prefetched, not joined: joined, the rows skipped by the page's OFFSET are joined too.
            .prefetch_related("organisation", "themes", "audiences", "funding_routes", "sessions__commune")
            .order_by("title", "id")
        )


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Rechercher des sessions",
        "Les sessions des offres publiées, filtrées comme sur la page « Formations » (mêmes paramètres, même permalien), "
        "par date ou par distance. Un paramètre invalide répond 400 avec un message en français.",
        access=PUBLIC,
        parameters=SEARCH_PARAMETERS,
    ),
)
class SessionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [PolicyPermission]
    policy_actions = {"list": "training.view_public"}
    serializer_class = SessionWithOfferSerializer
    pagination_class = SessionPagination

    def get_filters(self) -> SessionFilter:
        if not hasattr(self, "_filters"):
            try:
                self._filters = SessionFilter.from_query(self.request.query_params)
            except DjangoValidationError as error:
                raise ValidationError(validation_error_detail(error)) from None
        return self._filters

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generation: no query
            return Offer.objects.none()
        return self.get_filters().sessions()

    def get_serializer_context(self):
        if getattr(self, "swagger_fake_view", False):
            return super().get_serializer_context()
        return {**super().get_serializer_context(), "filters": self.get_filters()}
