"""The laureates' reports through the API: the call's follow-up (received, late, missing) and a
laureate's report sent by its carrier (tpj.calls.services.follow_up, the one place of their rules)."""

from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core.api import ChoiceField
from tpj.core.openapi import document

from ..models import ReportKind
from ..services.follow_up import report_dues, submit_report
from .common import require_auth


class ReportDueSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application.pk")
    reference = serializers.CharField(source="application.reference")
    title = serializers.CharField(source="application.title")
    kind = serializers.CharField(help_text="interim (intermédiaire) ou final")
    kind_label = serializers.CharField()
    due_on = serializers.DateField(allow_null=True, help_text="Attendu le (celui du lauréat, sinon celui de l'appel).")
    received_on = serializers.DateField(allow_null=True)
    status = serializers.CharField(help_text="received, received_late, missing, upcoming ou undated")
    status_label = serializers.CharField(help_text="L'état en français : reçu, reçu en retard, manquant, à venir…")


class ReportWriteSerializer(serializers.Serializer):
    kind = ChoiceField(choices=ReportKind.choices, help_text="`interim` (intermédiaire) ou `final`.")
    file = serializers.FileField(help_text="Le rapport : PDF, PNG ou JPEG vérifié par son contenu, 10 Mo au plus.")
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReceivedReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    received_on = serializers.DateField()
    comment = serializers.CharField()


class CallReportsActions:
    """CallViewSet's follow-up of its laureates' reports."""

    @document(
        "Suivre les rapports des lauréats d'un appel",
        "Chaque rapport (intermédiaire, final) que doivent les lauréats de l'appel, par référence : sa date "
        "attendue, sa réception et son état (reçu, reçu en retard, manquant, à venir, échéance à fixer)."
        " Un appel inconnu répond 404.",
        access="les gestionnaires de l'appel et l'équipe nationale.",
        responses=ReportDueSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def reports(self, request, pk=None):
        require_auth(request)
        call = self.get_object()  # "calls.view_reports"
        return Response(ReportDueSerializer(report_dues(call), many=True).data)


class ApplicationReportsActions:
    """ApplicationViewSet's report sent by the laureate."""

    @document(
        "Remettre un rapport de suivi",
        "Dépose (en multipart/form-data) le rapport intermédiaire ou final du projet lauréat ; le jour du dépôt "
        "est sa date de réception, et un rapport reçu n'est pas remplacé. Une candidature inconnue répond 404 ; "
        "hors de votre périmètre, ou qui n'est pas lauréate, 403.",
        access="la structure porteuse du projet lauréat ; un gestionnaire de l'appel pour elle.",
        request={"multipart/form-data": ReportWriteSerializer},
        responses={201: ReceivedReportSerializer},
    )
    @action(detail=True, methods=["post"], url_path="reports")
    def send_report(self, request, pk=None):
        require_auth(request)
        app = self.get_object()  # "calls.follow_up"
        payload = ReportWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        report = submit_report(app, request.user, data["kind"], data["file"], data["comment"])
        return Response(ReceivedReportSerializer(report).data, status=status.HTTP_201_CREATED)
