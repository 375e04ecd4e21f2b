import json

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tpj.accounts.models import User
from tpj.core.openapi import SIGNED_IN, document

from . import services

TAG = "Données personnelles"


@extend_schema(tags=[TAG])
class MyDataView(APIView):
    """Everything the platform holds about the signed-in user (RGPD right of access)."""

    permission_classes = [IsAuthenticated]

    @document(
        "Exporter toutes ses données",
        "Tout ce que la plateforme conserve sur le compte connecté (droit d'accès, RGPD) : compte, rôles, fiches, "
        "candidatures, notations et journal des actions, en un document JSON.",
        access=SIGNED_IN,
        responses={200: OpenApiResponse(description="Export JSON de toutes les données du compte")},
    )
    def get(self, request):
        return Response(json.loads(services.export_json(request.user)))


class DeleteRequestSerializer(serializers.Serializer):
    confirmation = serializers.CharField(label="Tapez SUPPRIMER pour confirmer", help_text="Le mot SUPPRIMER, en majuscules.")
    transfer_to = serializers.EmailField(
        required=False,
        allow_blank=True,
        label="E-mail du membre qui reprend les fiches",
        help_text="Adresse d'un autre compte actif qui reprend vos fiches de l'annuaire (facultatif).",
    )

    def validate_confirmation(self, value):
        if value.strip().upper() != "SUPPRIMER":
            raise serializers.ValidationError("Tapez SUPPRIMER en majuscules pour confirmer la suppression.")
        return value

    def validate_transfer_to(self, value):
        if not value:
            return None
        member = User.objects.filter(email=value.strip().lower(), is_active=True).first()
        if member is None:
            raise serializers.ValidationError("Aucun autre compte actif n'utilise cette adresse.")
        return member


@extend_schema(tags=[TAG])
class DeleteAccountView(APIView):
    """Delete (anonymise) the signed-in user's account; decisions and the audit log are kept."""

    permission_classes = [IsAuthenticated]

    @document(
        "Supprimer son compte",
        "Supprime (anonymise) le compte connecté et révoque son jeton. Les fiches dont il est le seul membre sont "
        "transférées au membre désigné par `transfer_to` ; sinon, une fiche encore en cours est supprimée et une "
        "fiche traitée est conservée sans ses contacts privés. Les demandes de gestion de fiche encore en attente sont "
        "retirées. Les décisions, les messages des dossiers et le journal d'audit sont conservés. "
        "La réponse compte les fiches transférées, supprimées et conservées, et les demandes retirées.",
        access=SIGNED_IN,
        request=DeleteRequestSerializer,
        responses={
            200: inline_serializer(
                "DeletionSummary",
                {
                    "fiches_transferees": serializers.IntegerField(),
                    "fiches_supprimees": serializers.IntegerField(),
                    "fiches_conservees": serializers.IntegerField(),
                    "demandes_retirees": serializers.IntegerField(),
                },
            )
        },
    )
    def post(self, request):
        payload = DeleteRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        transfer_to = payload.validated_data.get("transfer_to")
        if transfer_to is not None and transfer_to.pk == request.user.pk:
            raise serializers.ValidationError({"transfer_to": ["Choisissez un autre membre que vous-même."]})
        try:
            return Response(services.delete_account(request.user, transfer_to=transfer_to))
        except services.DeletionError as error:
            raise serializers.ValidationError({"transfer_to": [str(error)]}) from None
