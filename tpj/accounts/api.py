from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from tpj.core.openapi import SIGNED_IN, document

from .forms import LoginForm

TAG = "Compte et jeton"


class LoginThrottle(AnonRateThrottle):
    scope = "login"


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(label="Adresse e-mail", help_text="Adresse e-mail du compte, confirmée.")
    password = serializers.CharField(
        label="Mot de passe",
        help_text="Mot de passe du compte.",
        trim_whitespace=False,
        style={"input_type": "password"},
    )


@extend_schema(tags=[TAG])
class ObtainTokenView(APIView):
    """Exchange an e-mail and password for an API token (header `Authorization: Token …`)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @document(
        "Obtenir un jeton d'accès",
        "Échange l'adresse e-mail et le mot de passe d'un compte contre son jeton d'accès, à envoyer ensuite dans "
        "l'en-tête `Authorization: Token <jeton>`. Le jeton est stable : le redemander renvoie le même ; il est "
        "révoqué quand le mot de passe change ou que le compte est désactivé. Après 5 échecs pour une adresse "
        "(30 pour un client) en 15 minutes, les tentatives sont refusées un moment.",
        access="public, limité à 10 requêtes par minute et par client.",
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(help_text="Jeton d'accès (40 caractères hexadécimaux).")}
            )
        },
    )
    def post(self, request):
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        form = LoginForm(request, data=payload.validated_data)
        if not form.is_valid():
            return Response({"non_field_errors": form.non_field_errors()}, status=status.HTTP_400_BAD_REQUEST)
        token, _ = Token.objects.get_or_create(user=form.get_user())
        return Response({"token": token.key})


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="Adresse e-mail du compte.")
    full_name = serializers.CharField(source="get_full_name", help_text="Prénom et nom.")
    organisation = serializers.StringRelatedField(allow_null=True, help_text="Organisation du compte (nom), ou null.")
    roles = serializers.SerializerMethodField(
        help_text="Rôles actifs : rôle, niveau du périmètre, région et départements (codes INSEE)."
    )

    def get_roles(self, user) -> list[dict]:
        return [
            {
                "role": a.role,
                "scope_level": a.scope_level,
                "region": a.region_id,
                "departements": [d.code for d in a.departements.all()],
            }
            for a in user.role_assignments.filter(is_active=True).prefetch_related("departements")
        ]


@extend_schema(tags=[TAG])
class MeView(APIView):
    """The signed-in user, with its roles and territorial scopes."""

    permission_classes = [IsAuthenticated]

    @document(
        "Lire son compte, ses rôles et ses périmètres",
        "Le compte connecté : adresse, nom, organisation et rôles actifs avec leur périmètre territorial "
        "(national, régional ou départemental). Ce sont ces rôles qui décident de ce que l'API vous montre.",
        access=SIGNED_IN,
        responses=MeSerializer,
    )
    def get(self, request):
        return Response(MeSerializer(request.user).data)
