"""API of the national dashboard, scoped exactly as its web page."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import document

from .. import dashboard
from ..dashboard import ScopeRefused, dashboard_scope


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
    coverage_at = serializers.DateTimeField(
        allow_null=True,
        help_text="date du calcul des chiffres de l'annuaire (fiches vérifiées, attente), recalculés toutes les "
        "quelques minutes ; les chiffres des appels sont lus à la demande",
    )
    regions = DashboardRowSerializer(source="rows", many=True)
    departements = DashboardDepartementSerializer(many=True)


@extend_schema(tags=["Tableau de bord"])
class DashboardAPIView(APIView):
    """National dashboard: every région for the national team, its own région for a call manager."""

    permission_classes = [PolicyPermission]
    policy_actions = {"get": "valorisation.view_dashboard"}

    @document(
        "Lire le tableau de bord national",
        "Pour chaque région de votre périmètre : population, naissances, déclarations d'intention, appels et leur "
        "état, dotation et montants attribués, candidatures et lauréats, fiches vérifiées de l'annuaire et attente "
        "de modération ; puis les mêmes indicateurs de l'annuaire par département. Les mêmes chiffres que la page "
        "Tableau de bord.",
        access="l'équipe nationale (toutes les régions) ; un référent régional d'appel à projets (sa région).",
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
