"""API of the national measures: their targets, progress and deployments by région."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from tpj.core.api_permissions import PolicyPermission
from tpj.territories.models import Commune, Departement, Region

from .. import services
from ..models import Deployment, Measure


class ProgressSerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="réalisé")
    target = serializers.IntegerField(allow_null=True, help_text="cible chiffrée (null : suivi qualitatif)")
    percent = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=["reached", "ongoing", "qualitative"])


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


@extend_schema_view(list=extend_schema(description="Les mesures nationales, leur cible et leur avancement (public)."))
class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MeasureSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {"list": "valorisation.view_public", "retrieve": "valorisation.view_public"}
    queryset = Measure.objects.with_progress().order_by("position")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "departement_total": Departement.objects.count()}


@extend_schema_view(
    list=extend_schema(
        description="Déploiements d'une mesure (public).",
        parameters=[OpenApiParameter("region", str, description="code INSEE de la région")],
    ),
    create=extend_schema(description="Enregistrer un déploiement (équipe nationale ; référent régional dans sa région)."),
)
class DeploymentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = DeploymentSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {"list": "valorisation.view_public", "create": "valorisation.record_deployment"}

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
