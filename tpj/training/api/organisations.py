"""/api/v1/training/organisations/: registering a training organisation (journey 1), validated
by the site's OrganisationForm (SIRET and its check digit, 11-digit numéro de déclaration
d'activité, Qualiopi and its date, commune) and saved by the same service."""

from django.db import IntegrityError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from tpj.core.api import Pagination
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import document

from ..forms import OrganisationForm
from ..models import TrainingOrganisation
from ..services.organisations import register_organisation
from .common import TAG, TextValue, form_data, form_errors, refuse, require_auth

# API field -> OrganisationForm field
NAMES = {
    "nom": "name",
    "siret": "siret",
    "numero_declaration_activite": "activity_number",
    "qualiopi": "qualiopi",
    "date_qualiopi": "qualiopi_date",
    "commune": "commune",
}


class OrganisationWriteSerializer(serializers.Serializer):
    nom = TextValue(help_text="Nom de l'organisme (obligatoire)")
    siret = TextValue(help_text="SIRET : 14 chiffres avec leur clé de contrôle (les espaces sont acceptés)")
    numero_declaration_activite = TextValue(help_text="Numéro de déclaration d'activité : 11 chiffres, attribués par la DREETS")
    qualiopi = serializers.BooleanField(required=False, help_text="Certifié Qualiopi")
    date_qualiopi = serializers.DateField(
        required=False, allow_null=True, help_text="Date de la certification Qualiopi (obligatoire si certifié)"
    )
    commune = TextValue(help_text="Commune du siège : code INSEE, code postal ou nom")


class OrganisationSerializer(serializers.ModelSerializer):
    nom = serializers.CharField(source="name", help_text="Nom")
    numero_declaration_activite = serializers.CharField(source="activity_number", help_text="Numéro de déclaration d'activité")
    date_qualiopi = serializers.DateField(source="qualiopi_date", allow_null=True, help_text="Date de certification Qualiopi")
    commune = serializers.CharField(source="commune.insee_code", help_text="Code INSEE de la commune du siège")
    region = serializers.CharField(source="region_id", help_text="Code INSEE de la région (celle de ses modérateurs)")

    class Meta:
        model = TrainingOrganisation
        fields = ["id", "nom", "siret", "numero_declaration_activite", "qualiopi", "date_qualiopi", "commune", "region"]


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Lister mes organismes de formation",
        "Les organismes de formation dont vous êtes membre, par nom : leur numéro sert à y créer des offres.",
        access="tout compte connecté ; la liste ne contient que vos organismes.",
    ),
)
class OrganisationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [PolicyPermission]
    policy_actions = {"list": "training.my_offers", "create": "training.register_organisation"}
    serializer_class = OrganisationSerializer
    pagination_class = Pagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_auth(request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TrainingOrganisation.objects.none()
        return TrainingOrganisation.objects.of_member(self.request.user).select_related("commune").order_by("name", "id")

    @document(
        "Inscrire un organisme de formation",
        "Inscrit l'organisme, dont vous devenez le premier membre. Vérifié comme dans le formulaire du site : SIRET "
        "(14 chiffres et leur clé de contrôle, un seul organisme par SIRET), numéro de déclaration d'activité de 11 "
        "chiffres, date de certification Qualiopi si l'organisme est certifié (et seulement alors), commune connue. "
        "Un refus (400, un message en français par champ) n'enregistre rien ; l'inscription est au journal d'audit.",
        access="tout compte connecté.",
        request=OrganisationWriteSerializer,
        responses={201: OrganisationSerializer},
    )
    def create(self, request):
        payload = OrganisationWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        form = OrganisationForm(form_data(payload.validated_data, NAMES))
        if not form.is_valid():
            refuse(form_errors(form, NAMES))
        try:
            organisation = register_organisation(request.user, form.instance)
        except IntegrityError:  # the same SIRET registered at the same instant: the unique constraint's own message
            (unique,) = [c for c in TrainingOrganisation._meta.constraints if c.name == "training_unique_organisation_siret"]
            refuse({"siret": [unique.violation_error_message]})
        return Response(OrganisationSerializer(organisation).data, status=status.HTTP_201_CREATED)
