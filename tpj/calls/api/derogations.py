"""National derogations to the minimum endowment through the API: the call's managers ask, the
national team grants or refuses (tpj.calls.services.derogations, the one place of their rules)."""

from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core.api import ChoiceField
from tpj.core.openapi import document

from ..models import MinimumDerogation
from ..services.derogations import grant_derogation, refuse_derogation, request_derogation
from .common import require_auth

CALL_NOT_SEEN = " Un appel inconnu répond 404."
GRANT, REFUSE = "grant", "refuse"


class DerogationSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    requested_by = serializers.StringRelatedField(read_only=True)
    decided_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = MinimumDerogation
        fields = [
            "id",
            "call",
            "state",
            "state_label",
            "minimum",
            "endowment",
            "accepted",
            "request_reason",
            "requested_by",
            "requested_at",
            "decision_reason",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class DerogationRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Pourquoi le minimum national ne peut pas être atteint."
    )


class DerogationDecisionSerializer(serializers.Serializer):
    decision = ChoiceField(
        choices=[(GRANT, "Accorder"), (REFUSE, "Refuser")], help_text="`grant` (accorder) ou `refuse` (refuser)."
    )
    accepted = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="Pour accorder : la dotation minimale acceptée, en euros, inférieure au minimum national.",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Motif, communiqué aux gestionnaires de l'appel."
    )


class DerogationActions:
    """CallViewSet's derogation requests and decisions."""

    @document(
        "Demander une dérogation au minimum national",
        "Quand les lauréats ne peuvent pas atteindre la dotation minimale nationale, demande à l'équipe nationale "
        "une dérogation, avec son motif (obligatoire) ; l'équipe nationale est prévenue et la demande est au "
        "journal d'audit. Refusée si le minimum est atteint, si une dérogation est déjà demandée ou accordée, ou "
        "une fois la liste des lauréats arrêtée." + CALL_NOT_SEEN,
        access="les gestionnaires de l'appel.",
        request=DerogationRequestSerializer,
        responses={201: DerogationSerializer},
    )
    @action(detail=True, methods=["post"], url_path="derogation-request")
    def derogation_request(self, request, pk=None):
        require_auth(request)
        call = self.get_object()  # "calls.manage_call"
        payload = DerogationRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        derogation = request_derogation(call, request.user, payload.validated_data["reason"])
        return Response(DerogationSerializer(derogation).data, status=status.HTTP_201_CREATED)

    @document(
        "Décider d'une dérogation au minimum national",
        "Accorde (`grant`, avec la dotation minimale acceptée `accepted`, inférieure au minimum) ou refuse "
        "(`refuse`) la dérogation demandée, avec un motif obligatoire ; l'équipe nationale peut aussi en accorder "
        "une sans demande. Les gestionnaires de l'appel sont prévenus et la décision est au journal d'audit." + CALL_NOT_SEEN,
        access="l'équipe nationale.",
        request=DerogationDecisionSerializer,
        responses=DerogationSerializer,
    )
    @action(detail=True, methods=["post"], url_path="derogation-decision")
    def derogation_decision(self, request, pk=None):
        require_auth(request)
        call = self.get_object()  # "calls.grant_minimum_derogation"
        payload = DerogationDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["decision"] == GRANT:
            derogation = grant_derogation(call, request.user, data["accepted"], data["reason"])
        else:
            derogation = refuse_derogation(call, request.user, data["reason"])
        return Response(DerogationSerializer(derogation).data)
