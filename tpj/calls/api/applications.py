"""/api/v1/applications/: the carrier's drafts and submissions, the managers' instruction, the jury's files.

Lists hold only what the user may see; an object outside its scope answers 403.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core import policy
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import document

from ..models import Application, ScoreSheet
from ..services.applications import update_application
from ..services.decisions import promote, renounce
from ..services.instruction import fire_application
from ..services.jury import declare_conflict, save_scores
from .common import require_auth
from .conventions import ConventionActions
from .follow_up import ApplicationReportsActions
from .instruction import ChecklistActions
from .questions import ApplicationAnswersActions
from .serializers import (
    ApplicationSerializer,
    ApplicationWriteSerializer,
    ConflictSerializer,
    PromotionSerializer,
    ScoreSheetSerializer,
    ScoreWriteSerializer,
    TransitionSerializer,
)

CARRIER = "la structure porteuse de la candidature (ses membres)."
INSTRUCTORS = "les gestionnaires de l'appel."
JUROR = "le juré à qui le dossier est attribué."
UNKNOWN = " Une candidature inconnue répond 404 ; une candidature hors de votre périmètre, 403."


@extend_schema(tags=["Candidatures"])
@extend_schema_view(
    list=document(
        "Lister ses candidatures",
        "Les candidatures que vous pouvez voir, des plus récentes aux plus anciennes : celles de votre structure, "
        "celles des appels que vous gérez (hors brouillons) et les dossiers qui vous sont attribués comme juré.",
        access="tout compte connecté ; la liste ne contient que ce que vous pouvez voir.",
    ),
    retrieve=document(
        "Lire une candidature",
        "Une candidature complète : projet, lieux, partenaires, budget, cofinancements, demandes et indicateurs." + UNKNOWN,
        access="sa structure porteuse ; les gestionnaires de l'appel et l'équipe nationale une fois déposée ; un "
        "juré à qui elle est attribuée, après sa déclaration de conflit d'intérêts et s'il n'est pas récusé.",
    ),
)
class ApplicationViewSet(
    ApplicationAnswersActions,
    ApplicationReportsActions,
    ChecklistActions,
    ConventionActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications: the carrier's drafts and submissions, the managers' instruction, the jury's files."""

    lookup_value_regex = r"\d+"
    serializer_class = ApplicationSerializer
    permission_classes = [PolicyPermission]
    policy_actions = {
        "list": "calls.view_application",
        "retrieve": "calls.view_application",
        "update": "calls.edit_application",
        "partial_update": "calls.edit_application",
        # Detail actions below go through services, which ask the policy for the object.
        **dict.fromkeys(
            [
                "submit",
                "withdraw",
                "request_info",
                "answer_info",
                "declare_eligible",
                "declare_ineligible",
                "conflict_declaration",
                "scores",
                "renounce",
                "promote",
            ],
            "calls.view_application",
        ),
        # Issue 18: the call's form, the instruction checklist, the convention (asked of the object by get_object).
        "answers": "calls.edit_application",
        "answer_files": "calls.act_as_carrier",
        "checklist": "calls.view_application",  # then "calls.instruct", in the action
        "convention": "calls.view_convention",
        "convention_schedule": "calls.manage_follow_up",
        "convention_issue": "calls.manage_follow_up",
        "convention_signed": "calls.sign_convention",
        "convention_payments": "calls.manage_follow_up",
        "send_report": "calls.follow_up",
    }
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    path_parameters = {"id": "Numéro de la candidature"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        require_auth(self.request)
        return (
            Application.objects.visible_to(self.request.user)
            .select_related("call__region", "organisation")
            .order_by("-created_at")
            .prefetch_related("call_axes", "places", "partners", "budget_lines", "cofinancings__source", "indicators")
        )

    def get_object(self):
        app = get_object_or_404(Application.objects.select_related("call__region", "organisation"), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, app)
        return app

    @document(
        "Remplacer le contenu d'une candidature",
        "Remplace tout le contenu du brouillon (ou de la candidature à compléter) par celui envoyé. Une "
        "candidature déposée n'est plus modifiable." + UNKNOWN,
        access=CARRIER,
        request=ApplicationWriteSerializer,
        responses=ApplicationSerializer,
    )
    def update(self, request, pk=None, partial=False):
        app = self.get_object()
        payload = ApplicationWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        app = update_application(app, request.user, payload.to_content(app.call))
        return Response(ApplicationSerializer(app).data)

    @document(
        "Modifier une candidature",
        "Comme le remplacement : le contenu envoyé devient celui de la candidature, tant qu'elle n'est pas déposée." + UNKNOWN,
        access=CARRIER,
        request=ApplicationWriteSerializer,
        responses=ApplicationSerializer,
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk)

    def _fire(self, request, pk, name):
        require_auth(request)
        app = get_object_or_404(Application, pk=pk)
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        app = fire_application(app, request.user, name, payload.validated_data["reason"])
        return Response(ApplicationSerializer(app).data)

    @document(
        "Déposer une candidature",
        "Dépose la candidature complète avant la date limite de l'appel (heure de Paris) ; elle n'est plus "
        "modifiable ensuite. Une candidature incomplète est refusée avec la liste de ce qui manque." + UNKNOWN,
        access=CARRIER,
        request=TransitionSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._fire(request, pk, "submit")

    @document(
        "Retirer une candidature",
        "Retire la candidature avant la décision ; le motif est facultatif." + UNKNOWN,
        access=CARRIER,
        request=TransitionSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._fire(request, pk, "withdraw")

    @document(
        "Demander un complément",
        "Renvoie la candidature déposée à sa structure porteuse avec une question (`reason`), pendant l'instruction." + UNKNOWN,
        access=INSTRUCTORS,
        request=TransitionSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        return self._fire(request, pk, "request_info")

    @document(
        "Répondre à une demande de complément",
        "Renvoie la candidature complétée à l'instruction, avec la réponse (`reason`)." + UNKNOWN,
        access=CARRIER,
        request=TransitionSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"], url_path="answer-info")
    def answer_info(self, request, pk=None):
        return self._fire(request, pk, "answer_info")

    @document(
        "Déclarer une candidature recevable",
        "La candidature instruite est recevable : elle passe au jury." + UNKNOWN,
        access=INSTRUCTORS,
        request=TransitionSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"], url_path="declare-eligible")
    def declare_eligible(self, request, pk=None):
        return self._fire(request, pk, "declare_eligible")

    @document(
        "Déclarer une candidature irrecevable",
        "La candidature instruite est irrecevable ; le motif (`reason`) est obligatoire et la structure porteuse "
        "le lit." + UNKNOWN,
        access=INSTRUCTORS,
        request=TransitionSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"], url_path="declare-ineligible")
    def declare_ineligible(self, request, pk=None):
        return self._fire(request, pk, "declare_ineligible")

    @document(
        "Enregistrer le désistement d'un lauréat",
        "Une fois la liste des lauréats arrêtée, enregistre que le lauréat se désiste (ou n'a pas signé sa "
        "convention), avec le motif (`reason`, obligatoire) : ses montants reviennent à leurs enveloppes, au "
        "journal d'audit ; le porteur et les autres gestionnaires sont prévenus." + UNKNOWN,
        access=INSTRUCTORS,
        request=TransitionSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"])
    def renounce(self, request, pk=None):
        require_auth(request)
        app = self.get_object()  # who may not see the file does not learn its state
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        app = renounce(app, request.user, payload.validated_data["reason"])
        return Response(ApplicationSerializer(app).data)

    @document(
        "Promouvoir depuis la liste d'attente",
        "Une fois la liste des lauréats arrêtée, la candidature de la liste d'attente devient lauréate, avec son "
        "motif (`reason`, obligatoire) et ses montants par agence, pris sur ce qui reste dans chaque enveloppe (ce "
        "qu'un désistement a libéré) et jamais au-delà de ce qui était demandé. Son porteur reçoit son courrier "
        "quand les décisions sont notifiées." + UNKNOWN,
        access=INSTRUCTORS,
        request=PromotionSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None):
        require_auth(request)
        app = self.get_object()
        payload = PromotionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        app = promote(app, request.user, data["reason"], PromotionSerializer.amounts(data["allocations"]))
        return Response(ApplicationSerializer(app).data)

    @document(
        "Déclarer un conflit d'intérêts",
        "Déclare l'absence ou l'existence d'un conflit d'intérêts sur le dossier attribué, avant de le lire et de "
        "le noter ; un conflit déclaré exclut de la notation." + UNKNOWN,
        access=JUROR,
        request=ConflictSerializer,
        responses=ScoreSheetSerializer,
    )
    @action(detail=True, methods=["post"], url_path="conflict-declaration")
    def conflict_declaration(self, request, pk=None):
        require_auth(request)
        app = get_object_or_404(Application, pk=pk)
        sheet = self._own_sheet(request.user, app)
        payload = ConflictSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sheet = declare_conflict(sheet, request.user, **payload.validated_data)
        return Response(ScoreSheetSerializer(sheet).data)

    def _own_sheet(self, user, app):
        """The user's sheet on this application; the policy refuses (403) when none is assigned to the user."""
        sheet = (
            ScoreSheet.objects.filter(application=app, member__user=user).select_related("member", "application__call").first()
        )
        policy.require(user, "calls.hold_sheet", sheet)
        return sheet

    @document(
        "Lire les notations d'une candidature",
        "Les fiches de notation du jury sur la candidature : toutes pour les gestionnaires, la sienne pour un "
        "juré ; rien pour un juré récusé (403)." + UNKNOWN,
        access="les gestionnaires de l'appel ; un juré à qui le dossier est attribué, pour sa propre fiche.",
        methods=["GET"],
        responses=ScoreSheetSerializer(many=True),
    )
    @document(
        "Noter une candidature",
        "Enregistre les notes par critère (« sans objet » possible) et le commentaire du juré ; avec `submit`, "
        "la notation est validée puis verrouillée." + UNKNOWN,
        access=JUROR + " Sans conflit d'intérêts déclaré ni récusation.",
        methods=["POST"],
        request=ScoreWriteSerializer,
        responses=ScoreSheetSerializer,
    )
    @action(detail=True, methods=["get", "post"])
    def scores(self, request, pk=None):
        """Managers see every sheet; a juror its own; a recused member nothing (403)."""
        require_auth(request)
        app = get_object_or_404(Application.objects.select_related("call"), pk=pk)
        if request.method == "POST":
            sheet = self._own_sheet(request.user, app)
            payload = ScoreWriteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            values = {s["criterion"]: (s["value"], s["not_applicable"]) for s in payload.validated_data["scores"]}
            sheet = save_scores(sheet, request.user, values, payload.validated_data["comment"], payload.validated_data["submit"])
            return Response(ScoreSheetSerializer(sheet).data)
        policy.require(request.user, "calls.view_scores", app)
        sheets = app.sheets.visible_to(request.user).select_related("member__user").prefetch_related("scores").order_by("pk")
        page = self.paginate_queryset(sheets)
        return self.get_paginated_response(ScoreSheetSerializer(page, many=True).data)
