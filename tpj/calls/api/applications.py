"""/api/v1/applications/: the carrier's drafts and submissions, the managers' instruction, the jury's files.

Lists hold only what the user may see; an object outside its scope answers 403.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core import policy
from tpj.core.api_permissions import PolicyPermission

from ..models import Application, ScoreSheet
from ..services.applications import update_application
from ..services.instruction import fire_application
from ..services.jury import declare_conflict, save_scores
from .common import require_auth
from .serializers import (
    ApplicationSerializer,
    ApplicationWriteSerializer,
    ConflictSerializer,
    ScoreSheetSerializer,
    ScoreWriteSerializer,
    TransitionSerializer,
)


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
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
            ],
            "calls.view_application",
        ),
    }
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

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

    @extend_schema(request=ApplicationWriteSerializer, responses=ApplicationSerializer)
    def update(self, request, pk=None, partial=False):
        app = self.get_object()
        payload = ApplicationWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        app = update_application(app, request.user, payload.to_content(app.call))
        return Response(ApplicationSerializer(app).data)

    @extend_schema(request=ApplicationWriteSerializer, responses=ApplicationSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk)

    def _fire(self, request, pk, name):
        require_auth(request)
        app = get_object_or_404(Application, pk=pk)
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        app = fire_application(app, request.user, name, payload.validated_data["reason"])
        return Response(ApplicationSerializer(app).data)

    @extend_schema(
        request=TransitionSerializer, responses=ApplicationSerializer, summary="Déposer (avant la date limite, heure de Paris)"
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._fire(request, pk, "submit")

    @extend_schema(
        request=TransitionSerializer, responses=ApplicationSerializer, summary="Retirer la candidature avant la décision"
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._fire(request, pk, "withdraw")

    @extend_schema(
        request=TransitionSerializer, responses=ApplicationSerializer, summary="Demander un complément (reason = question)"
    )
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        return self._fire(request, pk, "request_info")

    @extend_schema(
        request=TransitionSerializer,
        responses=ApplicationSerializer,
        summary="Répondre à la demande de complément (reason = réponse)",
    )
    @action(detail=True, methods=["post"], url_path="answer-info")
    def answer_info(self, request, pk=None):
        return self._fire(request, pk, "answer_info")

    @extend_schema(request=TransitionSerializer, responses=ApplicationSerializer, summary="Déclarer recevable")
    @action(detail=True, methods=["post"], url_path="declare-eligible")
    def declare_eligible(self, request, pk=None):
        return self._fire(request, pk, "declare_eligible")

    @extend_schema(
        request=TransitionSerializer, responses=ApplicationSerializer, summary="Déclarer irrecevable (motif obligatoire)"
    )
    @action(detail=True, methods=["post"], url_path="declare-ineligible")
    def declare_ineligible(self, request, pk=None):
        return self._fire(request, pk, "declare_ineligible")

    @extend_schema(
        request=ConflictSerializer,
        responses=ScoreSheetSerializer,
        summary="Déclarer l'absence ou l'existence d'un conflit d'intérêts",
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

    @extend_schema(methods=["GET"], responses=ScoreSheetSerializer(many=True))
    @extend_schema(methods=["POST"], request=ScoreWriteSerializer, responses=ScoreSheetSerializer)
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
