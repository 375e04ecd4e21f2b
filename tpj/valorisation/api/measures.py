"""API of the national measures: their targets, progress and deployments by région."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import PUBLIC, document
from tpj.territories.models import Commune, Departement, Region

from .. import services
from ..models import Deployment, Measure

TAG = "Mesures nationales"
MEASURE_PARAMETER = {"measure_pk": "Numéro de la mesure nationale"}


class ProgressSerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="réalisé")
    target = serializers.IntegerField(allow_null=True, help_text="cible chiffrée (null : suivi qualitatif)")
    percent = serializers.IntegerField(allow_null=True, help_text="part de la cible atteinte, en %")
    status = serializers.ChoiceField(
        choices=["reached", "ongoing", "qualitative"],
        help_text="reached : atteinte ; ongoing : en cours ; qualitative : suivi qualitatif",
    )


class MeasureSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    deployment_count = serializers.IntegerField(read_only=True)
    amount_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "slug",
            "position",
            "title",
            "description",
            "target_label",
            "target_min",
            "target_max",
            "basis",
            "unit",
            "year",
            "source",
            "apportioned",
            "deployment_count",
            "amount_total",
            "progress",
        ]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, measure) -> dict:
        return measure.progress(self.context.get("departement_total"))


class DeploymentSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), error_messages={"does_not_exist": "Région inconnue : « {value} »."}
    )
    departement = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Departement.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "Département inconnu : « {value} »."},
    )
    commune = serializers.CharField(
        source="commune_id", required=False, allow_null=True, allow_blank=True, help_text="code INSEE de la commune"
    )

    class Meta:
        model = Deployment
        fields = [
            "id",
            "measure",
            "region",
            "departement",
            "commune",
            "title",
            "carrier",
            "date",
            "quantity",
            "amount",
            "notes",
            "created_at",
        ]
        read_only_fields = ["measure", "created_at"]

    def validate_commune(self, value):
        if value and not Commune.objects.filter(insee_code=value.strip()).exists():
            raise serializers.ValidationError(f"Commune inconnue : « {value[:10]} » (code INSEE attendu, par exemple 35238).")
        return value.strip() if value else value


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Lister les mesures nationales",
        "Les mesures nationales dans leur ordre, avec leur cible, leur avancement et le total de leurs déploiements.",
        access=PUBLIC,
    ),
    retrieve=document("Lire une mesure nationale", "Une mesure nationale, sa cible et son avancement.", access=PUBLIC),
)
class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MeasureSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {"list": "valorisation.view_public", "retrieve": "valorisation.view_public"}
    queryset = Measure.objects.with_progress().order_by("position")
    path_parameters = {"id": "Numéro de la mesure nationale"}

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "departement_total": Departement.objects.count()}


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Lister les déploiements d'une mesure",
        "Les déploiements d'une mesure nationale, du plus récent au plus ancien ; filtrables par région.",
        access=PUBLIC,
        parameters=[OpenApiParameter("region", str, description="code INSEE de la région")],
    ),
    create=document(
        "Enregistrer un déploiement",
        "Enregistre un déploiement de la mesure dans une région (et, si besoin, un département et une commune) : "
        "porteur, date, quantité et montant. Il compte aussitôt dans l'avancement de la mesure.",
        access="l'équipe nationale, partout ; un référent régional d'appel à projets, dans sa région.",
    ),
)
class DeploymentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = DeploymentSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {"list": "valorisation.view_public", "create": "valorisation.record_deployment"}
    path_parameters = MEASURE_PARAMETER

    def measure(self):
        return get_object_or_404(Measure, pk=self.kwargs["measure_pk"])

    def get_queryset(self):
        deployments = Deployment.objects.filter(measure_id=self.kwargs["measure_pk"]).order_by("-date", "-id")
        if region := self.request.query_params.get("region"):
            deployments = deployments.filter(region_id=region)
        return deployments

    def list(self, request, *args, **kwargs):
        self.measure()
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        measure = self.measure()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["commune_id"] = data.pop("commune_id", None) or None
        deployment = services.record_deployment(user=request.user, measure=measure, data=data)
        return Response(self.get_serializer(deployment).data, status=status.HTTP_201_CREATED)
