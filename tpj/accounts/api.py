from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from .forms import LoginForm


class LoginThrottle(AnonRateThrottle):
    scope = "login"


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(label="Adresse e-mail")
    password = serializers.CharField(label="Mot de passe", trim_whitespace=False, style={"input_type": "password"})


class ObtainTokenView(APIView):
    """Exchange an e-mail and password for an API token (header `Authorization: Token …`)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
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
    email = serializers.EmailField()
    full_name = serializers.CharField(source="get_full_name")
    organisation = serializers.StringRelatedField(allow_null=True)
    roles = serializers.SerializerMethodField()

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


class MeView(APIView):
    """The signed-in user, with its roles and territorial scopes."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
