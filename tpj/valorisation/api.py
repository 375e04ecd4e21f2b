"""REST API of Module 3 under /api/v1/: dashboard/, measures/, measures/{id}/deployments/, apportionments/,
laureates/ (the projetothèque's public laureate projects, read from Module 2).

Access is decided by the policy (permissions.py); the dashboard is scoped exactly as the
web page; laureates/ is public (AllowAny, declared).
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tpj.accounts.models import Organisation
from tpj.calls.models import Application
from tpj.core import policy
from tpj.core.api_permissions import PolicyPermission
from tpj.territories.models import Commune, Departement, Region

from . import dashboard, services
from .apportionment import MAX_BIRTHS, MAX_TOTAL, BirthsTableError
from .dashboard_views import ScopeRefused, dashboard_scope
from .models import Apportionment, Deployment, Measure
from .projects import ProjectFilter

# --- serializers --------------------------------------------------------------------------


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


class BirthsLineSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="code INSEE de la région")
    births = serializers.IntegerField(
        min_value=0,
        max_value=MAX_BIRTHS,
        help_text="naissances (parturientes)",
        error_messages={
            "min_value": "Le nombre de naissances ne peut pas être négatif.",
            "invalid": "Le nombre de naissances doit être un entier.",
            "max_value": f"Plus de {MAX_BIRTHS} naissances : vérifiez la valeur.",
        },
    )


class ApportionmentRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="année des naissances")
    source = serializers.CharField(max_length=255, help_text="source des chiffres (ex. INSEE, état civil)")
    total = serializers.IntegerField(
        min_value=1,
        max_value=MAX_TOTAL,
        help_text="postes à répartir",
        error_messages={
            "min_value": "Le nombre de postes doit être au moins 1.",
            "max_value": f"Le nombre de postes ne peut dépasser {MAX_TOTAL}.",
        },
    )
    births = BirthsLineSerializer(many=True, help_text="une ligne par région, les 18 régions")

    def validate_births(self, lines):
        names = services.region_names()
        errors, seen = [], set()
        for line in lines:
            code = line["region"]
            if code not in names:
                errors.append(f"Région inconnue : « {code} ».")
            elif code in seen:
                errors.append(f"La région {names[code]} figure deux fois.")
            seen.add(code)
        missing = [names[c] for c in sorted(names, key=names.get) if c not in seen]
        if missing:
            errors.append(f"Région(s) manquante(s) : {', '.join(missing)}.")
        if not errors and sum(line["births"] for line in lines) == 0:
            errors.append("Le total des naissances est nul : impossible de répartir les postes.")
        if errors:
            raise serializers.ValidationError(errors)
        return {line["region"]: line["births"] for line in lines}


class AllocationSerializer(serializers.Serializer):
    region = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    births = serializers.IntegerField()
    quota = serializers.DecimalField(max_digits=12, decimal_places=6)
    whole = serializers.IntegerField()
    remainder_rank = serializers.IntegerField()
    seats = serializers.IntegerField()


class ApportionmentSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="births_table.year")
    source = serializers.CharField(source="births_table.source")
    measure = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = Apportionment
        fields = ["id", "measure", "year", "source", "total", "method", "created_at", "allocations"]


class DashboardCallSerializer(serializers.Serializer):
    strand = serializers.CharField()
    state = serializers.CharField()
    state_code = serializers.CharField()
    publication_date = serializers.DateField(allow_null=True)
    applications_deadline = serializers.DateTimeField(allow_null=True)
    laureates_date = serializers.DateField(allow_null=True)
    transmitted_at = serializers.DateTimeField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    minimum = serializers.DecimalField(max_digits=12, decimal_places=2)
    endowment = serializers.DecimalField(max_digits=12, decimal_places=2)
    minimum_reached = serializers.BooleanField()


class DashboardDeclarationSerializer(serializers.Serializer):
    agency = serializers.CharField()
    joint = serializers.BooleanField()
    declared_at = serializers.DateTimeField()
    is_late = serializers.BooleanField()


class DashboardRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    population = serializers.IntegerField()
    births = serializers.IntegerField(allow_null=True)
    declarations = DashboardDeclarationSerializer(many=True)
    calls = DashboardCallSerializer(many=True)
    dotation = serializers.DecimalField(max_digits=14, decimal_places=2)
    top_up = serializers.DecimalField(max_digits=14, decimal_places=2)
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)
    minimum_reached = serializers.BooleanField(allow_null=True)
    applications = serializers.IntegerField()
    laureates = serializers.IntegerField()
    laureates_by_axis = serializers.DictField(child=serializers.IntegerField(), help_text="numéro d'axe → lauréats")
    transmitted_at = serializers.DateTimeField(allow_null=True)
    verified = serializers.IntegerField()
    verified_per_100k = serializers.FloatField(allow_null=True)
    verified_per_1000_births = serializers.FloatField(allow_null=True)
    verified_by_priority = serializers.DictField(
        child=serializers.IntegerField(), help_text="numéro de priorité → fiches vérifiées"
    )
    backlog = serializers.IntegerField()
    backlog_age = serializers.IntegerField(allow_null=True, help_text="jours d'attente de la plus ancienne fiche")


class DashboardDepartementSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    region_code = serializers.CharField()
    population = serializers.IntegerField()
    verified = serializers.IntegerField()
    verified_per_100k = serializers.FloatField(allow_null=True)
    verified_by_priority = serializers.DictField(child=serializers.IntegerField())
    backlog = serializers.IntegerField()
    backlog_age = serializers.IntegerField(allow_null=True)


class DashboardSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign.year", allow_null=True)
    regions = DashboardRowSerializer(source="rows", many=True)
    departements = DashboardDepartementSerializer(many=True)


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


class DashboardAPIView(APIView):
    """National dashboard: every région for the national team, its own région for a call manager."""

    permission_classes = [PolicyPermission]
    policy_actions = {"get": "valorisation.view_dashboard"}

    @extend_schema(
        parameters=[
            OpenApiParameter("annee", int, description="année de la campagne (défaut : la plus récente)"),
            OpenApiParameter("region", str, description="code INSEE d'une région de votre périmètre"),
        ],
        responses=DashboardSerializer,
    )
    def get(self, request):
        try:
            regions, campaign = dashboard_scope(request.user, request.query_params)
        except ScopeRefused as error:
            raise PermissionDenied(str(error)) from None
        board = dashboard.build(regions=regions, campaign=campaign)
        board.rows.sort(key=lambda r: r.code)
        if board.campaign is None:
            board.campaign = type("NoCampaign", (), {"year": None})()
        return Response(DashboardSerializer(board).data)


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


@extend_schema_view(
    list=extend_schema(description="Répartitions calculées (public)."),
    retrieve=extend_schema(description="Une répartition et ses postes par région (public)."),
    create=extend_schema(
        description="Importer un tableau des naissances (une ligne par région) et répartir `total` postes par la méthode des "
        "plus forts restes. Équipe nationale.",
        request=ApportionmentRequestSerializer,
        responses={201: ApportionmentSerializer},
    ),
)
class ApportionmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = ApportionmentSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {
        "list": "valorisation.view_public",
        "retrieve": "valorisation.view_public",
        "create": "valorisation.apportion",
    }
    queryset = (
        Apportionment.objects.select_related("births_table", "measure")
        .prefetch_related("allocations__region")
        .order_by("-created_at", "-id")
    )

    def create(self, request, *args, **kwargs):
        payload = ApportionmentRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            table = services.import_births(user=request.user, year=data["year"], source=data["source"], births=data["births"])
            result = services.apportion(user=request.user, table=table, total=data["total"])
        except BirthsTableError as error:
            raise serializers.ValidationError({"births": error.errors}) from None
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        except policy.PermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        result = self.get_queryset().get(pk=result.pk)
        return Response(ApportionmentSerializer(result).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="code INSEE de la région"),
            OpenApiParameter("departement", str, description="code INSEE d'un département où le projet agit"),
            OpenApiParameter("axis", int, description="numéro d'axe national (1 à 6)"),
            OpenApiParameter("year", int, description="année de la campagne"),
            OpenApiParameter("carrier_kind", str, enum=Organisation.Kind.values, description="type de structure porteuse"),
            OpenApiParameter(
                "q", str, description="texte libre, insensible aux accents et à la casse (titre, description, porteur, lieux…)"
            ),
        ]
    )
)
class LaureateViewSet(viewsets.ReadOnlyModelViewSet):
    """Laureate projects, public once their call's list was transmitted to the national team.

    The list takes the projetothèque's filters (`ProjectFilter`, same
    parameters as its pages and exports); a malformed value is a 400 in French.
    """

    serializer_class = LaureateSerializer
    permission_classes = [AllowAny]
    authentication_classes = []

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
        filters = ProjectFilter.from_query(self.request.query_params)  # ValidationError -> 400 (tpj.core.api)
        if not filters.q:
            return filters.apply(queryset)
        return filters.select(queryset.prefetch_related("partners"))  # the text filter reads the partners too
