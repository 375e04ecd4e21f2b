"""API of the projetothèque: laureate projects of transmitted calls (public, AllowAny declared)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from tpj.accounts.models import Organisation
from tpj.calls.models import Application
from tpj.core.openapi import PUBLIC, document

from ..projects import ProjectFilter


class LaureateSerializer(serializers.ModelSerializer):
    """Public data of a laureate project (published once the list was transmitted)."""

    organisation = serializers.CharField(source="organisation.name")
    call_title = serializers.CharField(source="call.title")
    year = serializers.IntegerField(source="call.campaign.year")
    region = serializers.CharField(source="call.region_id")
    region_name = serializers.CharField(source="call.region.name")
    axes = serializers.SerializerMethodField()
    places = serializers.SerializerMethodField()
    allocated_total = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "target_public",
            "organisation",
            "call_title",
            "year",
            "region",
            "region_name",
            "axes",
            "places",
            "allocated_total",
            "start_date",
            "end_date",
        ]

    def get_axes(self, app) -> list[int]:
        return sorted({a.number for ca in app.call_axes.all() for a in ca.national_axes.all()})

    def get_places(self, app) -> list[dict]:
        return [
            {"insee_code": c.insee_code, "name": c.name, "latitude": c.latitude, "longitude": c.longitude}
            for c in app.places.all()
        ]

    def get_allocated_total(self, app) -> str:
        return f"{sum((r.amount_allocated for r in app.requests.all()), 0):.2f}"


# --- views ----------------------------------------------------------------------------------


@extend_schema(tags=["Projetothèque"])
@extend_schema_view(
    retrieve=document(
        "Lire un projet lauréat",
        "Un projet lauréat : porteur, appel, axes nationaux, lieux d'action et montant attribué.",
        access=PUBLIC,
    ),
    list=document(
        "Rechercher dans la projetothèque",
        "Les projets lauréats des appels dont la liste a été transmise à l'équipe nationale, filtrés comme les "
        "pages de la projetothèque et leurs exports. Une valeur de filtre mal formée répond 400 avec un message "
        "par paramètre.",
        access=PUBLIC,
        parameters=[
            OpenApiParameter("region", str, description="code INSEE de la région"),
            OpenApiParameter("departement", str, description="code INSEE d'un département où le projet agit"),
            OpenApiParameter("axis", int, description="numéro d'axe national (1 à 6)"),
            OpenApiParameter("year", int, description="année de la campagne"),
            OpenApiParameter("carrier_kind", str, enum=Organisation.Kind.values, description="type de structure porteuse"),
            OpenApiParameter(
                "q", str, description="texte libre, insensible aux accents et à la casse (titre, description, porteur, lieux…)"
            ),
        ],
    ),
)
class LaureateViewSet(viewsets.ReadOnlyModelViewSet):
    """Laureate projects, public once their call's list was transmitted to the national team.

    The list takes the projetothèque's filters (`ProjectFilter`, same
    parameters as its pages and exports); a malformed value is a 400 in French.
    """

    serializer_class = LaureateSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    path_parameters = {"id": "Numéro de la candidature lauréate"}

    def get_queryset(self):
        return (
            Application.objects.public_laureates()
            .select_related("organisation", "call__region", "call__campaign")
            .prefetch_related("call_axes__national_axes", "places", "requests")
            .order_by("call__region__name", "reference")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return ProjectFilter.from_query(self.request.query_params).apply(queryset)  # ValidationError -> 400 (tpj.core.api)
