"""The selection committee's files through the API, prepared by the workers as on the web page
(« Dossier du comité », tpj.calls.downloads): the client asks for a file (202, a job), follows
the job until it is ready, then downloads it. Same builders, same rules (policy
"calls.committee_export" on the call; for the ZIP, "calls.instruct" on each chosen application,
asked by the builder), same « Mes téléchargements » on the site."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from tpj.core.api import ChoiceField
from tpj.core.openapi import document
from tpj.core.uploads import serve_upload
from tpj.core.validators import bounded_list
from tpj.downloads import builders
from tpj.downloads.models import ExportJob
from tpj.downloads.services import request_export

from ..committee_export import VERSIONS
from ..downloads import MAX_ZIP_APPLICATIONS
from .common import require_auth

MANAGERS = "les gestionnaires de l'appel (référents régionaux de sa région)."
CALL_NOT_SEEN = " Un appel inconnu répond 404."
EXPORT_KINDS = {"xlsx": "calls.committee.xlsx", "csv": "calls.committee.csv"}
ATTACHMENTS_KIND = "calls.attachments"
COMMITTEE_KINDS = [*EXPORT_KINDS.values(), ATTACHMENTS_KIND]
NOT_READY = "Ce fichier n'est pas prêt : suivez son état jusqu'à « ready »."
GONE = "Ce fichier n'est plus disponible : demandez-le à nouveau."


class CommitteeExportRequestSerializer(serializers.Serializer):
    format = ChoiceField(choices=[("xlsx", "XLSX"), ("csv", "CSV")], help_text="`xlsx` ou `csv`.")
    version = ChoiceField(
        choices=list(VERSIONS.items()),
        help_text="`jury` (les jurés désignés par « Juré 1 », « Juré 2 »…, à remettre au jury) ou `gestion` "
        "(les jurés nommés, pour les gestionnaires).",
    )


class CommitteeAttachmentsRequestSerializer(serializers.Serializer):
    applications = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        **bounded_list(MAX_ZIP_APPLICATIONS),
        help_text=f"Numéros des candidatures déposées de l'appel dont rassembler les pièces jointes "
        f"({MAX_ZIP_APPLICATIONS} au plus).",
    )


class ExportJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True, help_text="L'état, en français.")
    progress = serializers.IntegerField(source="progress_percent", read_only=True, help_text="Avancement, de 0 à 100.")
    download_url = serializers.SerializerMethodField(help_text="Adresse du fichier une fois prêt ; vide avant.")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "status_label",
            "progress",
            "format_label",
            "filename",
            "size",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, job) -> str:
        if not job.is_ready:
            return ""
        return reverse("api-call-committee-file-download", kwargs={"pk": job.parameters.get("call"), "job_id": job.pk})


class CommitteeRequestedSerializer(ExportJobSerializer):
    message = serializers.SerializerMethodField(help_text="Ce qu'il advient de la demande, en français.")

    class Meta(ExportJobSerializer.Meta):
        fields = [*ExportJobSerializer.Meta.fields, "message"]
        read_only_fields = fields

    def get_message(self, job) -> str:
        return self.context.get("message", "")


def _request(user, kind, query: QueryDict, field: str):
    """The job of `kind` for `user`, parsed and authorised by its builder as the web page's is
    (a refusal of the builder's parsing: a 400 on `field`)."""
    builder = builders.get(kind)
    try:
        parameters = builder.parse(query, user)
    except DjangoValidationError as error:
        raise serializers.ValidationError({field: error.messages}) from None
    try:
        return request_export(user, kind, parameters)
    except DjangoPermissionDenied as error:  # the builder's French reason, in the 403
        raise PermissionDenied(str(error)) from None


def _accepted(job, message):
    return Response(CommitteeRequestedSerializer(job, context={"message": message}).data, status=status.HTTP_202_ACCEPTED)


class CommitteeActions:
    """CallViewSet's committee files: asked for, followed, downloaded."""

    def _committee_jobs(self, call):
        return ExportJob.objects.visible_to(self.request.user).filter(kind__in=COMMITTEE_KINDS, parameters__call=call.pk)

    @document(
        "Demander l'export complet des candidatures pour le comité",
        "Met en préparation, par un processus d'arrière-plan, le fichier de toutes les candidatures déposées de "
        "l'appel : réponses aux questions de l'appel, identité du porteur au répertoire Sirene, contrôles de "
        "recevabilité, note de chaque juré par critère, moyennes (tous jurés, financeurs, opérateurs), écart type "
        "et décision. Répond 202 avec la préparation : suivez-la par `committee-files/{job_id}/`, puis "
        "téléchargez le fichier à son adresse `download_url` (il reste disponible 7 jours, aussi dans « Mes "
        "téléchargements »)." + CALL_NOT_SEEN,
        access=MANAGERS,
        request=CommitteeExportRequestSerializer,
        responses={202: CommitteeRequestedSerializer},
    )
    @action(detail=True, methods=["post"], url_path="committee-export")
    def committee_export(self, request, pk=None):
        require_auth(request)
        call = self.get_object()  # "calls.committee_export"
        payload = CommitteeExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        query = QueryDict(mutable=True)
        query.update({"appel": str(call.pk), "version": payload.validated_data["version"]})
        job, message = _request(request.user, EXPORT_KINDS[payload.validated_data["format"]], query, "version")
        return _accepted(job, message)

    @document(
        "Demander le ZIP des pièces jointes de candidatures",
        "Met en préparation, par un processus d'arrière-plan, un ZIP des pièces jointes des candidatures choisies "
        "(pièces jointes, fichiers donnés pour les questions et documents demandés par l'appel), un dossier par "
        "candidature. Refusé (400) si une candidature choisie n'a aucune pièce ; 403 si l'une d'elles n'est pas "
        "de l'appel ou pas instruite par vous. Répond 202 avec la préparation, à suivre comme l'export." + CALL_NOT_SEEN,
        access=MANAGERS,
        request=CommitteeAttachmentsRequestSerializer,
        responses={202: CommitteeRequestedSerializer},
    )
    @action(detail=True, methods=["post"], url_path="committee-attachments")
    def committee_attachments(self, request, pk=None):
        require_auth(request)
        call = self.get_object()  # "calls.committee_export"
        payload = CommitteeAttachmentsRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        query = QueryDict(mutable=True)
        query["appel"] = str(call.pk)
        query.setlist("candidature", [str(i) for i in payload.validated_data["applications"]])
        job, message = _request(request.user, ATTACHMENTS_KIND, query, "applications")
        return _accepted(job, message)

    @document(
        "Lister les fichiers du comité demandés",
        "Les exports et ZIP du comité de cet appel que vous avez demandés, du plus récent au plus ancien, avec "
        "leur état (`queued` en attente, `running` en préparation, `ready` prêt, `failed` en échec)." + CALL_NOT_SEEN,
        access=MANAGERS,
        responses=ExportJobSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="committee-files")
    def committee_files(self, request, pk=None):
        require_auth(request)
        call = self.get_object()  # "calls.committee_export"
        page = self.paginate_queryset(self._committee_jobs(call).order_by("-created_at", "-pk"))
        return self.get_paginated_response(ExportJobSerializer(page, many=True).data)

    @document(
        "Suivre la préparation d'un fichier du comité",
        "L'état d'un fichier du comité demandé : en attente, en préparation (avec son avancement), prêt (avec "
        "l'adresse `download_url` du fichier) ou en échec (avec son motif). Un fichier d'un autre appel ou "
        "demandé par quelqu'un d'autre répond 404." + CALL_NOT_SEEN,
        access=MANAGERS + " Chacun suit les fichiers qu'il a demandés.",
        responses=ExportJobSerializer,
    )
    @action(detail=True, methods=["get"], url_path=r"committee-files/(?P<job_id>\d+)", url_name="committee-file")
    def committee_file(self, request, pk=None, job_id=None):
        require_auth(request)
        call = self.get_object()  # "calls.committee_export"
        job = get_object_or_404(self._committee_jobs(call), pk=job_id)
        return Response(ExportJobSerializer(job).data)

    @document(
        "Télécharger un fichier du comité",
        "Le fichier prêt (XLSX, CSV ou ZIP), tant qu'il est conservé (7 jours). Un fichier pas encore prêt, "
        "expiré, d'un autre appel ou demandé par quelqu'un d'autre répond 404." + CALL_NOT_SEEN,
        access=MANAGERS + " Chacun télécharge les fichiers qu'il a demandés.",
        responses={200: OpenApiResponse(description="Le fichier (XLSX, CSV ou ZIP).")},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"committee-files/(?P<job_id>\d+)/file",
        url_name="committee-file-download",
    )
    def committee_file_download(self, request, pk=None, job_id=None):
        require_auth(request)
        call = self.get_object()  # "calls.committee_export"
        job = get_object_or_404(self._committee_jobs(call), pk=job_id)
        if job.status != ExportJob.Status.READY or not job.file:
            raise NotFound(NOT_READY)
        if job.expires_at and job.expires_at <= timezone.now():
            raise NotFound(GONE)
        return serve_upload(job.file, filename=job.filename, content_type=job.content_type)
