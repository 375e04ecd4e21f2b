"""The instruction team through the API: the call's instructors and their files (its managers),
the instruction checklist of an application (its instruction team). Every change goes through
tpj.calls.services.instruction_team, the one place of their rules."""

from django.shortcuts import get_object_or_404
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core import policy
from tpj.core.api import IdField
from tpj.core.openapi import document
from tpj.core.validators import bounded_list

from ..models import Instructor
from ..services import instruction_team as team
from .common import require_auth

CALL_NOT_SEEN = " Un appel inconnu répond 404."
UNKNOWN = " Une candidature inconnue répond 404 ; une candidature hors de votre périmètre, 403."
MANAGERS = "les gestionnaires de l'appel."
MAX_ASSIGNED = 500  # applications given in one request


class InstructorSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True, help_text="Numéro du compte de l'agent.")
    name = serializers.CharField(source="user.__str__", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    organisation = serializers.CharField(source="user.organisation.name", read_only=True, default="")
    applications = serializers.SerializerMethodField(help_text="Numéros des candidatures attribuées à l'instructeur.")

    class Meta:
        model = Instructor
        fields = ["id", "user", "name", "email", "organisation", "added_at", "applications"]
        read_only_fields = fields

    def get_applications(self, instructor) -> list[int]:
        return sorted(a.application_id for a in instructor.assignments.all())


class InstructorWriteSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="Adresse du compte d'un agent de l'ARS ou de la DREETS de l'appel, dans sa région.")


class AssignmentSerializer(serializers.Serializer):
    instructor = serializers.EmailField(help_text="Adresse de l'instructeur, membre de l'équipe de l'appel.")
    applications = serializers.ListField(
        child=IdField(), help_text="Numéros des candidatures déposées à lui attribuer.", **bounded_list(MAX_ASSIGNED)
    )


class AssignedSerializer(serializers.Serializer):
    assigned = serializers.IntegerField(help_text="Nombre de dossiers nouvellement attribués (ceux qui l'étaient déjà exclus).")


class ChecklistLineSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)
    ticked = serializers.BooleanField(read_only=True)
    changed_by = serializers.CharField(read_only=True, help_text="Qui a coché ou décoché le point en dernier.")
    changed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class TickSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=team.MAX_ITEM_CHARS, help_text="Le point de la liste, tel qu'il est libellé.")
    ticked = serializers.BooleanField(help_text="`true` pour cocher, `false` pour décocher.")


class InstructionTeamActions:
    """CallViewSet's instruction team and assignments."""

    @document(
        "Lister l'équipe d'instruction d'un appel",
        "Les instructeurs de l'appel (agents de l'ARS ou de la DREETS ajoutés par ses gestionnaires) et les "
        "candidatures attribuées à chacun." + CALL_NOT_SEEN,
        access=MANAGERS,
        methods=["GET"],
        responses=InstructorSerializer(many=True),
    )
    @document(
        "Ajouter un instructeur",
        "Ajoute à l'équipe d'instruction un agent actif de l'ARS ou de la DREETS de l'appel, dans sa région (pas "
        "un de ses gestionnaires, qui instruisent sans y être ajoutés) ; il en est prévenu." + CALL_NOT_SEEN,
        access=MANAGERS,
        methods=["POST"],
        request=InstructorWriteSerializer,
        responses={201: InstructorSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def instructors(self, request, pk=None):
        require_auth(request)
        call = self.get_object()  # "calls.manage_instruction"
        if request.method == "POST":
            payload = InstructorWriteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            user = team.candidates(call).filter(email__iexact=payload.validated_data["email"]).first()
            if user is None:
                raise serializers.ValidationError(
                    {
                        "email": [
                            "Choisissez un agent actif de l'ARS ou de la DREETS de l'appel, dans sa région, qui ne fait pas "
                            "déjà partie de l'équipe ni ne gère l'appel."
                        ]
                    }
                )
            instructor = team.add_instructor(call, request.user, user)
            return Response(InstructorSerializer(instructor).data, status=status.HTTP_201_CREATED)
        return Response(InstructorSerializer(team.team(call), many=True).data)

    @document(
        "Retirer un instructeur",
        "Retire l'instructeur de l'équipe ; les dossiers qui lui étaient attribués ne le sont plus. Un "
        "instructeur inconnu de l'équipe de cet appel répond 404." + CALL_NOT_SEEN,
        access=MANAGERS,
        responses={204: None},
    )
    @action(detail=True, methods=["delete"], url_path=r"instructors/(?P<instructor_id>\d+)")
    def remove_instructor(self, request, pk=None, instructor_id=None):
        require_auth(request)
        call = self.get_object()  # "calls.manage_instruction"
        instructor = get_object_or_404(Instructor.objects.select_related("user"), pk=instructor_id, call=call)
        team.remove_instructor(call, request.user, instructor)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @document(
        "Attribuer des candidatures à un instructeur",
        "Attribue à l'instructeur les candidatures déposées choisies (celles qui lui sont déjà attribuées restent "
        "telles quelles) ; il est prévenu du nombre de nouveaux dossiers. Une candidature qui n'est pas déposée "
        "sur cet appel fait tout refuser." + CALL_NOT_SEEN,
        access=MANAGERS,
        request=AssignmentSerializer,
        responses=AssignedSerializer,
    )
    @action(detail=True, methods=["post"])
    def assignments(self, request, pk=None):
        require_auth(request)
        call = self.get_object()  # "calls.manage_instruction"
        payload = AssignmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        email = payload.validated_data["instructor"]
        instructor = Instructor.objects.filter(call=call, user__email__iexact=email).select_related("user").first()
        if instructor is None:
            raise serializers.ValidationError({"instructor": ["Choisissez un instructeur de l'équipe de cet appel."]})
        n = team.assign(call, request.user, instructor, payload.validated_data["applications"])
        return Response({"assigned": n})


class ChecklistActions:
    """ApplicationViewSet's instruction checklist."""

    @document(
        "Lire la liste de vérification d'une candidature",
        "Les points de la liste de vérification de l'appel sur cette candidature : cochés ou non, par qui et "
        "quand en dernier." + UNKNOWN,
        access="les gestionnaires et les instructeurs de l'appel.",
        methods=["GET"],
        responses=ChecklistLineSerializer(many=True),
    )
    @document(
        "Cocher ou décocher un point de vérification",
        "Coche (`ticked: true`) ou décoche un point de la liste de vérification de l'appel ; le changement est au "
        "journal d'audit. Un point inconnu de la liste est refusé (400)." + UNKNOWN,
        access="les gestionnaires et les instructeurs de l'appel.",
        methods=["POST"],
        request=TickSerializer,
        responses=ChecklistLineSerializer,
    )
    @action(detail=True, methods=["get", "post"])
    def checklist(self, request, pk=None):
        require_auth(request)
        app = self.get_object()  # who may not see the file (a draft) learns nothing of it
        policy.require(request.user, "calls.instruct", app)
        if request.method == "POST":
            payload = TickSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            line = team.set_tick(app, request.user, payload.validated_data["label"], payload.validated_data["ticked"])
            return Response(ChecklistLineSerializer(line).data)
        return Response(ChecklistLineSerializer(team.checklist(app), many=True).data)
