"""/api/v1/training/reports/: the bilans of the sessions (journey 5), declared by the members
of the offer's organisation once the session has ended. Every rule (one bilan per session,
at most as many participants as seats, hours plausible, audiences and départements known)
is tpj.training.services.reports', the site's form's too; a bilan sent again corrects it."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core.api import ChoiceField, Pagination, bounded_many
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import document

from ..models import Audience, Offer, Session, SessionReport
from ..services import reports as report_services
from .common import TAG, TextValue, refuse, require_auth, service_errors
from .serializers import SessionWithOfferSerializer

MEMBERS = "les membres de l'organisme de formation de la session."
NOT_SEEN = " Une session inconnue, ou d'une offre que vous ne pouvez pas voir, répond 404 ; celle d'un autre organisme, 403."


class ReportLineSerializer(serializers.Serializer):
    public = ChoiceField(Audience.choices, help_text="Public des participants")
    departement = serializers.CharField(help_text="Code du département des participants (ex. 35, 2A, 971)")
    participants = serializers.IntegerField(help_text="Nombre de participants, au moins 1")


class SessionReportWriteSerializer(serializers.Serializer):
    heures = TextValue(help_text="Heures dispensées, au plus une décimale, par exemple 14 ou 10.5")
    lignes = bounded_many(
        ReportLineSerializer(),
        report_services.MAX_LINES,
        required=False,
        help_text="Participants par public et par département (une ligne par couple) ; au total, au plus les places",
    )


class SessionReportSerializer(serializers.ModelSerializer):
    session = serializers.IntegerField(source="session_id", help_text="Numéro de la session")
    offre = serializers.IntegerField(source="session.offer_id", help_text="Numéro de l'offre")
    intitule = serializers.CharField(source="session.offer.title", help_text="Intitulé de l'offre")
    heures = serializers.DecimalField(source="hours_delivered", max_digits=6, decimal_places=1, help_text="Heures dispensées")
    participants = serializers.SerializerMethodField(help_text="Total des participants")
    lignes = serializers.SerializerMethodField(help_text="Participants par public et par département")
    declare_le = serializers.DateTimeField(source="submitted_at", help_text="Première déclaration")
    modifie_le = serializers.DateTimeField(source="updated_at", help_text="Dernière correction")

    class Meta:
        model = SessionReport
        fields = ["session", "offre", "intitule", "heures", "participants", "lignes", "declare_le", "modifie_le"]

    def get_participants(self, report) -> int:
        return sum(line.participants for line in report.lines.all())

    @extend_schema_field(ReportLineSerializer(many=True))
    def get_lignes(self, report):
        return [
            {"public": line.audience, "departement": line.departement_id, "participants": line.participants}
            for line in report.lines.all()
        ]


class DueSessionSerializer(SessionWithOfferSerializer):
    """An ended session whose bilan is due (its own component: not the search's paginated list)."""

    class Meta(SessionWithOfferSerializer.Meta):
        ref_name = "TrainingSessionDue"


def _reports():
    return SessionReport.objects.select_related("session__offer").prefetch_related("lines")


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Lister les bilans déclarés",
        "Les bilans des sessions de vos organismes de formation, du plus récent au plus ancien.",
        access="tout compte connecté ; la liste ne contient que les bilans de vos organismes.",
    ),
    retrieve=document(
        "Lire le bilan d'une session",
        "Le bilan déclaré de la session (404 s'il n'est pas encore déclaré)." + NOT_SEEN,
        access=MEMBERS,
    ),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [PolicyPermission]
    policy_actions = {
        "list": "training.reports",
        "awaiting": "training.reports",
        "retrieve": "training.report_session",
        "update": "training.report_session",
    }
    serializer_class = SessionReportSerializer
    pagination_class = Pagination
    lookup_url_kwarg = "session_id"
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "put", "head", "options"]
    path_parameters = {"session_id": "Numéro de la session"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_auth(request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SessionReport.objects.none()
        return report_services.declared_reports(self.request.user).select_related("session__offer").prefetch_related("lines")

    def get_session(self) -> Session:
        """The session, when its offer is visible to the user (404 otherwise), then the policy (403)."""
        session = get_object_or_404(
            Session.objects.select_related("offer__organisation"),
            pk=self.kwargs["session_id"],
            offer__in=Offer.objects.visible_to(self.request.user),
        )
        self.check_object_permissions(self.request, session)
        return session

    def retrieve(self, request, session_id=None):
        session = self.get_session()
        report = get_object_or_404(_reports(), session=session)
        return Response(SessionReportSerializer(report).data)

    @document(
        "Déclarer le bilan d'une session",
        "Déclare (201) ou corrige (200) le bilan de la session terminée : heures dispensées et participants par "
        "public et par département. Vérifié comme dans le formulaire du site, par le même service : session "
        "terminée, un seul bilan par session, pas plus de participants que de places, heures plausibles, publics et "
        "départements connus, chaque couple une fois. Un refus (400, la liste des problèmes en français) n'enregistre "
        "rien ; la déclaration est au journal d'audit." + NOT_SEEN,
        access=MEMBERS,
        request=SessionReportWriteSerializer,
        responses={201: SessionReportSerializer, 200: SessionReportSerializer},
    )
    def update(self, request, session_id=None):
        session = self.get_session()
        payload = SessionReportWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        lines = [
            report_services.Line(line["public"], line["departement"], line["participants"]) for line in data.get("lignes", [])
        ]
        try:
            report, created = report_services.submit_report(request.user, session, hours=data.get("heures"), lines=lines)
        except DjangoValidationError as error:
            refuse(service_errors(error))
        return Response(
            SessionReportSerializer(_reports().get(pk=report.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @document(
        "Lister les sessions dont le bilan est à déclarer",
        "Les sessions terminées de vos organismes de formation dont le bilan n'est pas encore déclaré, des plus "
        "anciennes aux plus récentes.",
        access="tout compte connecté ; la liste ne contient que les sessions de vos organismes.",
        responses=DueSessionSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def awaiting(self, request):
        page = self.paginate_queryset(report_services.awaiting_report(request.user))
        return self.get_paginated_response(DueSessionSerializer(page, many=True).data)
