"""/api/v1/calls/: calls, their applications, ranking and decisions.

Every endpoint asks the policy (tpj/calls/permissions.py); changes go through the services,
as in the web pages.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core import policy
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import document

from ..models import Application, Call, Campaign
from ..services.applications import create_application
from ..services.calls import create_call, fire_call, record_call_change
from ..services.campaigns import nearest_open_campaign
from ..services.decisions import decide
from ..services.jury import ranking
from .committee import CommitteeActions
from .common import require_auth
from .derogations import DerogationActions
from .follow_up import CallReportsActions
from .instruction import InstructionTeamActions
from .questions import CallQuestionsActions
from .serializers import (
    ApplicationSerializer,
    ApplicationWriteSerializer,
    CallCreateSerializer,
    CallSerializer,
    CallUpdateSerializer,
    DecisionSerializer,
    DecisionWriteSerializer,
    RankingSerializer,
    TransitionSerializer,
)

MANAGERS = "les gestionnaires de l'appel (référents régionaux de sa région)."
CALL_NOT_SEEN = " Un appel inconnu répond 404 ; un brouillon que vous ne pouvez pas voir, 403."


@extend_schema(tags=["Appels à projets"])
@extend_schema_view(
    list=document(
        "Lister les appels à projets",
        "Les appels à projets régionaux : publiés, clos, lauréats décidés ou transmis pour tous ; les brouillons "
        "en plus pour qui les gère. Avec leurs axes, critères et enveloppes.",
        access="public ; les brouillons, pour leurs gestionnaires, les référents de leur région et l'équipe nationale.",
    ),
    retrieve=document(
        "Lire un appel à projets",
        "Un appel : calendrier, axes, critères de notation, enveloppes et alertes de calendrier." + CALL_NOT_SEEN,
        access="public pour un appel publié ; un brouillon, pour ses gestionnaires, les référents de sa région et "
        "l'équipe nationale.",
    ),
)
class CallViewSet(
    CallQuestionsActions,
    CommitteeActions,
    CallReportsActions,
    DerogationActions,
    InstructionTeamActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Regional calls for projects. Published calls are public; drafts are seen by their managers."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a failed int() conversion
    serializer_class = CallSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {
        "list": "calls.view_call",
        "retrieve": "calls.view_call",
        "create": "calls.create_call",
        "update": "calls.manage_call",
        "partial_update": "calls.manage_call",
        # Detail actions below are decided per object inside the action (policy.require).
        "publish": "calls.manage_call",
        "close_applications": "calls.manage_call",
        "decide_laureates": "calls.manage_call",
        "transmit": "calls.manage_call",
        "applications": "calls.list_applications",
        "ranking": "calls.view_ranking",
        "decisions": "calls.manage_call",
        # Issue 18, asked of the call by get_object
        "questions": "calls.view_call",
        "derogation_request": "calls.manage_call",
        "derogation_decision": "calls.grant_minimum_derogation",
        "instructors": "calls.manage_instruction",
        "remove_instructor": "calls.manage_instruction",
        "assignments": "calls.manage_instruction",
        "reports": "calls.view_reports",
        # the committee's files, prepared by the workers (api/committee.py)
        "committee_export": "calls.committee_export",
        "committee_attachments": "calls.committee_export",
        "committee_files": "calls.committee_export",
        "committee_file": "calls.committee_export",
        "committee_file_download": "calls.committee_export",
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    path_parameters = {
        "id": "Numéro de l'appel à projets",
        "instructor_id": "Numéro de l'instructeur dans l'équipe de l'appel",
        "job_id": "Numéro du fichier demandé (sa préparation)",
    }

    def get_queryset(self):
        return (
            Call.objects.visible_to(self.request.user)
            .select_related("region", "campaign")
            .prefetch_related("axes__national_axes", "criteria", "envelopes__funding_source")
        )

    def get_object(self):
        call = get_object_or_404(Call.objects.select_related("region", "campaign"), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, call)
        return call

    @document(
        "Créer un appel à projets",
        "Crée l'appel en brouillon pour la région et l'agence (ARS ou DREETS) de votre structure, dans la campagne "
        "de l'année donnée ; par défaut, la campagne ouverte la plus proche (la première dont les listes de "
        "lauréats ne sont pas encore dues).",
        access="un référent régional d'appel à projets, pour la région de sa structure.",
        request=CallCreateSerializer,
        responses={201: CallSerializer},
    )
    def create(self, request):
        payload = CallCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        year = payload.validated_data.get("year")
        campaign = Campaign.objects.filter(year=year).first() if year else nearest_open_campaign()
        if campaign is None:
            message = "Aucune campagne nationale pour cette année." if year else "Aucune campagne nationale n'est ouverte."
            raise serializers.ValidationError({"year": [message]})
        call = create_call(request.user, campaign, payload.validated_data["strand"])
        return Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)

    @document(
        "Modifier un appel à projets",
        "Modifie les champs envoyés, et eux seuls (titre, calendrier, public visé…) ; chaque modification est "
        "inscrite au journal de l'appel." + CALL_NOT_SEEN,
        access=MANAGERS,
        request=CallUpdateSerializer,
        responses=CallSerializer,
    )
    def partial_update(self, request, pk=None):
        call = self.get_object()
        payload = CallUpdateSerializer(call, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        # saved on the locked row (the request's transaction holds it), never on the one read before
        payload.instance = record_call_change(
            call, request.user, "defined", after={k: str(v) for k, v in payload.validated_data.items()}
        )
        call = payload.save()
        return Response(CallSerializer(call).data)

    def _transition(self, request, name):
        call = self.get_object()
        reason = TransitionSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        call = fire_call(call, request.user, name, reason.validated_data["reason"])
        return Response(CallSerializer(call).data)

    @document(
        "Publier un appel à projets",
        "Le brouillon complet est publié : il devient public et reçoit des candidatures jusqu'à sa date limite. "
        "Un appel incomplet est refusé avec la liste de ce qui manque." + CALL_NOT_SEEN,
        access=MANAGERS,
        request=TransitionSerializer,
        responses=CallSerializer,
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._transition(request, "publish")

    @document(
        "Clore les candidatures",
        "L'appel publié ne reçoit plus de candidatures : l'instruction et le jury commencent." + CALL_NOT_SEEN,
        access=MANAGERS,
        request=TransitionSerializer,
        responses=CallSerializer,
    )
    @action(detail=True, methods=["post"], url_path="close-applications")
    def close_applications(self, request, pk=None):
        return self._transition(request, "close_applications")

    @document(
        "Arrêter la liste des lauréats",
        "Les décisions prises sur les candidatures deviennent la liste des lauréats de l'appel clos." + CALL_NOT_SEEN,
        access=MANAGERS,
        request=TransitionSerializer,
        responses=CallSerializer,
    )
    @action(detail=True, methods=["post"], url_path="decide-laureates")
    def decide_laureates(self, request, pk=None):
        return self._transition(request, "decide_laureates")

    @document(
        "Transmettre la liste des lauréats à l'équipe nationale",
        "La liste arrêtée est transmise : les projets lauréats paraissent dans la projetothèque publique." + CALL_NOT_SEEN,
        access=MANAGERS,
        request=TransitionSerializer,
        responses=CallSerializer,
    )
    @action(detail=True, methods=["post"])
    def transmit(self, request, pk=None):
        return self._transition(request, "transmit")

    @document(
        "Lister les candidatures d'un appel",
        "Les candidatures de l'appel que vous pouvez voir, par référence." + CALL_NOT_SEEN,
        access="les gestionnaires de l'appel et l'équipe nationale ; les autres comptes connectés n'y voient que "
        "les candidatures de leur structure et les dossiers qui leur sont attribués comme jurés.",
        methods=["GET"],
        responses=ApplicationSerializer(many=True),
    )
    @document(
        "Créer une candidature",
        "Crée un brouillon de candidature de votre structure sur l'appel ouvert, à compléter puis déposer avant la "
        "date limite. Avec le même `client_token`, un envoi rejoué renvoie la candidature déjà créée (200) au lieu "
        "d'un doublon (201)." + CALL_NOT_SEEN,
        access="un compte connecté rattaché à une structure, tant que l'appel reçoit des candidatures.",
        methods=["POST"],
        request=ApplicationWriteSerializer,
        responses={201: ApplicationSerializer, 200: ApplicationSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def applications(self, request, pk=None):
        call = get_object_or_404(Call, pk=pk)
        require_auth(request)
        if request.method == "POST":
            payload = ApplicationWriteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            app, created = create_application(
                request.user, call, payload.to_content(call), payload.validated_data.get("client_token")
            )
            return Response(ApplicationSerializer(app).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        policy.require(request.user, "calls.list_applications", call)
        apps = Application.objects.visible_to(request.user).filter(call=call).select_related("call__region", "organisation")
        page = self.paginate_queryset(apps.order_by("reference", "pk"))
        return self.get_paginated_response(ApplicationSerializer(page, many=True).data)

    @document(
        "Lire le classement du jury",
        "Les candidatures de l'appel classées par note moyenne du jury, avec l'écart entre notes et le nombre de "
        "notations faites, manquantes et récusées." + CALL_NOT_SEEN,
        access=MANAGERS,
        responses=RankingSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def ranking(self, request, pk=None):
        call = get_object_or_404(Call, pk=pk)
        require_auth(request)
        policy.require(request.user, "calls.view_ranking", call)
        rows = ranking(call)
        page = self.paginate_queryset(rows)
        offset = self.paginator.page.start_index() - 1 if getattr(self.paginator, "page", None) else 0
        for i, row in enumerate(page, start=offset + 1):
            row.rank = i
        return self.get_paginated_response(RankingSerializer(page, many=True).data)

    @document(
        "Lister les décisions d'un appel",
        "Les candidatures décidées (retenues, non retenues…) et les montants attribués par agence." + CALL_NOT_SEEN,
        access=MANAGERS,
        methods=["GET"],
        responses=DecisionSerializer(many=True),
    )
    @document(
        "Décider d'une candidature",
        "Enregistre la décision sur une candidature de l'appel clos (lauréate ou non retenue), son motif et les "
        "montants attribués par agence, pris sur les enveloppes de l'appel." + CALL_NOT_SEEN,
        access=MANAGERS,
        methods=["POST"],
        request=DecisionWriteSerializer,
        responses=DecisionSerializer,
    )
    @action(detail=True, methods=["get", "post"])
    def decisions(self, request, pk=None):
        call = get_object_or_404(Call, pk=pk)
        require_auth(request)
        policy.require(request.user, "calls.manage_call", call)
        if request.method == "POST":
            payload = DecisionWriteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            app = get_object_or_404(Application, pk=data["application"], call=call)
            allocations = {}
            for a in data["allocations"]:
                allocations[a["agency"].upper()] = allocations.get(a["agency"].upper(), 0) + a["amount"]
            app = decide(app, request.user, data["outcome"], data["reason"], allocations)
            return Response(DecisionSerializer(app).data)
        decided = (
            call.applications.filter(state__in=Application.DECIDED_STATES)
            .prefetch_related("requests__envelope")
            .order_by("reference")
        )
        page = self.paginate_queryset(decided)
        return self.get_paginated_response(DecisionSerializer(page, many=True).data)
