"""The call's own form through the API: its questions and required documents (read as the call),
and the carrier's answers and files (tpj.calls.services.questions, the one place of their rules)."""

import datetime

from django.core.exceptions import ValidationError
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core import policy
from tpj.core.api import ChoiceField, IdField, bounded_many
from tpj.core.openapi import document
from tpj.core.validators import bounded_list

from ..models import CallQuestion, QuestionKind, RequiredDocument
from ..services.questions import (
    CHOICE_MAX_LENGTH,
    MAX_CHOICES,
    MAX_DOCUMENTS,
    MAX_QUESTIONS,
    DocumentRow,
    QuestionRow,
    attach_answer_file,
    save_answers,
    save_call_form,
)
from .common import require_auth
from .serializers import AnswerSerializer, ApplicationSerializer

K = QuestionKind
CALL_NOT_SEEN = " Un appel inconnu répond 404 ; un brouillon que vous ne pouvez pas voir, 403."
UNKNOWN = " Une candidature inconnue répond 404 ; une candidature hors de votre périmètre, 403."
CARRIER = "la structure porteuse de la candidature (ses membres)."


class CallQuestionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, help_text="Type de réponse, en français.")
    item = serializers.SerializerMethodField(
        help_text="Pour une question de type fichier : la valeur `item` du dépôt du fichier (« question-<id> »)."
    )

    class Meta:
        model = CallQuestion
        fields = ["id", "label", "help_text", "kind", "kind_label", "required", "position", "choices", "item"]
        read_only_fields = fields

    def get_item(self, question) -> str | None:
        return f"question-{question.pk}" if question.kind == K.FILE else None


class RequiredDocumentSerializer(serializers.ModelSerializer):
    item = serializers.SerializerMethodField(help_text="La valeur `item` du dépôt du fichier (« document-<id> »).")

    class Meta:
        model = RequiredDocument
        fields = ["id", "label", "help_text", "required", "position", "item"]
        read_only_fields = fields

    def get_item(self, document) -> str:
        return f"document-{document.pk}"


class CallFormSerializer(serializers.Serializer):
    questions = CallQuestionSerializer(many=True, read_only=True)
    documents = RequiredDocumentSerializer(many=True, read_only=True)


class QuestionWriteSerializer(serializers.Serializer):
    id = IdField(
        required=False, allow_null=True, default=None, help_text="Numéro d'une question existante ; absent pour une nouvelle."
    )
    label = serializers.CharField(max_length=300)
    kind = ChoiceField(choices=K.choices, required=False, default=K.SHORT_TEXT)
    help_text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    required = serializers.BooleanField(required=False, default=False, help_text="Réponse obligatoire pour déposer.")
    position = serializers.IntegerField(min_value=0, max_value=999, required=False, default=0)
    delete = serializers.BooleanField(
        required=False, default=False, help_text="Supprimer la question (jamais si elle a des réponses)."
    )
    choices = serializers.ListField(
        child=serializers.CharField(max_length=CHOICE_MAX_LENGTH),
        required=False,
        default=list,
        help_text="Pour un choix unique ou des choix multiples : au moins deux.",
        **bounded_list(MAX_CHOICES),
    )

    def validate_choices(self, choices):
        if doubles := sorted({c for c in choices if choices.count(c) > 1}):
            raise serializers.ValidationError(f"Le choix « {doubles[0]} » est proposé deux fois.")
        return choices


class DocumentWriteSerializer(serializers.Serializer):
    id = IdField(
        required=False, allow_null=True, default=None, help_text="Numéro d'un document existant ; absent pour un nouveau."
    )
    label = serializers.CharField(max_length=300)
    help_text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    required = serializers.BooleanField(required=False, default=True, help_text="Obligatoire pour déposer.")
    position = serializers.IntegerField(min_value=0, max_value=999, required=False, default=0)
    delete = serializers.BooleanField(
        required=False, default=False, help_text="Supprimer le document (jamais s'il a été déposé)."
    )


class CallFormWriteSerializer(serializers.Serializer):
    questions = bounded_many(QuestionWriteSerializer(), MAX_QUESTIONS, required=False, default=list)
    documents = bounded_many(DocumentWriteSerializer(), MAX_DOCUMENTS, required=False, default=list)


class AnswerItemSerializer(serializers.Serializer):
    question = IdField(help_text="Numéro de la question de l'appel (hors questions de type fichier).")
    value = serializers.JSONField(
        allow_null=True,
        help_text="Texte ; nombre ou montant (« 1234.50 ») ; date (« 2026-05-31 » ou « 31/05/2026 ») ; choix "
        "proposé ; liste de choix ; booléen pour oui/non. `null` ou vide efface la réponse.",
    )


class AnswersWriteSerializer(serializers.Serializer):
    answers = bounded_many(AnswerItemSerializer(), MAX_QUESTIONS)

    def validate_answers(self, items):
        ids = [item["question"] for item in items]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Chaque question n'est répondue qu'une fois par envoi.")
        return items


class AnswerFileSerializer(serializers.Serializer):
    item = serializers.CharField(
        max_length=40, help_text="Ce que le fichier documente : « question-<id> » ou « document-<id> » (voir le formulaire)."
    )
    file = serializers.FileField(help_text="PDF, PNG ou JPEG, 10 Mo au plus (vérifié par son contenu).")


TEXT_KINDS = (K.SHORT_TEXT, K.LONG_TEXT)


def _text_or_empty(value) -> bool:
    return value is None or isinstance(value, str)


def _typed(question: CallQuestion, value):
    """The value as the service types it: a date question's text read as a date (ISO or French)."""
    if question.kind == K.DATE and isinstance(value, str) and value.strip():
        for parse in (datetime.date.fromisoformat, lambda v: datetime.datetime.strptime(v, "%d/%m/%Y").date()):
            try:
                return parse(value.strip())
            except ValueError:
                continue
    return value


class CallQuestionsActions:
    """CallViewSet's read of the call's own form."""

    @document(
        "Lire le formulaire d'un appel",
        "Les questions propres à l'appel (type de réponse, choix proposés, réponse obligatoire pour déposer) et "
        "les documents demandés à chaque candidat, dans leur ordre. Les fichiers (questions de type fichier et "
        "documents) se déposent par `POST /api/v1/applications/{id}/answer-files/`." + CALL_NOT_SEEN,
        access="public pour un appel publié ; un brouillon, pour ses gestionnaires, les référents de sa région et "
        "l'équipe nationale.",
        responses=CallFormSerializer,
    )
    @document(
        "Modifier le formulaire d'un appel",
        "Ajoute (sans `id`), modifie (avec son `id`) ou supprime (`delete: true`) des questions et des documents "
        "demandés ; ceux qui ne sont pas envoyés restent tels quels. Une fois l'appel publié, le formulaire ne "
        "change que sans invalider les réponses données (type inchangé, pas de nouvelle obligation, choix retenus "
        "gardés) ; rien de répondu n'est supprimé. Tout refus est motivé et rien n'est alors enregistré ; le "
        "changement est au journal de l'appel." + CALL_NOT_SEEN,
        access="les gestionnaires de l'appel, tant qu'il est en brouillon ou publié.",
        methods=["PATCH"],
        request=CallFormWriteSerializer,
        responses=CallFormSerializer,
    )
    @action(detail=True, methods=["get", "patch"])
    def questions(self, request, pk=None):
        call = self.get_object()  # "calls.view_call"
        if request.method == "PATCH":
            require_auth(request)
            policy.require(request.user, "calls.manage_call", call)
            payload = CallFormWriteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            save_call_form(
                call,
                request.user,
                [QuestionRow(**row) for row in payload.validated_data["questions"]],
                [DocumentRow(**row) for row in payload.validated_data["documents"]],
            )
        return Response(CallFormSerializer({"questions": call.questions.all(), "documents": call.required_documents.all()}).data)


class ApplicationAnswersActions:
    """ApplicationViewSet's writes of the answers and of their files."""

    @document(
        "Répondre aux questions de l'appel",
        "Remplace les réponses du brouillon aux questions de l'appel : une question absente de l'envoi voit sa "
        "réponse effacée. Chaque réponse est vérifiée selon son type, comme dans le formulaire de candidature ; "
        "une seule réponse invalide fait tout refuser (400, une phrase par question) et rien n'est enregistré. "
        "Les réponses obligatoires sont exigées au dépôt." + UNKNOWN,
        access=CARRIER + " Tant que la candidature est un brouillon.",
        methods=["PUT"],
        request=AnswersWriteSerializer,
        responses=ApplicationSerializer,
    )
    @document(
        "Compléter des réponses aux questions de l'appel",
        "Comme le remplacement, pour les seules questions envoyées : les autres réponses restent." + UNKNOWN,
        access=CARRIER + " Tant que la candidature est un brouillon.",
        methods=["PATCH"],
        request=AnswersWriteSerializer,
        responses=ApplicationSerializer,
    )
    @action(detail=True, methods=["put", "patch"])
    def answers(self, request, pk=None):
        require_auth(request)
        app = self.get_object()  # "calls.edit_application": the carrier, while the draft is editable
        payload = AnswersWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        questions = {q.pk: q for q in CallQuestion.objects.filter(call_id=app.call_id).exclude(kind=K.FILE)}
        given = {item["question"]: item["value"] for item in payload.validated_data["answers"]}
        if unknown := sorted(set(given) - set(questions)):
            raise serializers.ValidationError(
                {
                    "answers": [
                        f"La question n° {pk} n'est pas une question de cet appel à laquelle on répond ici "
                        "(un fichier se dépose par answer-files)."
                        for pk in unknown
                    ]
                }
            )
        texts = [questions[pk] for pk, value in given.items() if questions[pk].kind in TEXT_KINDS and not _text_or_empty(value)]
        if texts:  # (the service reads a text field, always a string from the form)
            raise serializers.ValidationError({"answers": [f"« {q.label} » : répondez par un texte." for q in texts]})
        if request.method == "PUT":
            given = {pk: given.get(pk) for pk in questions}
        try:
            save_answers(app, request.user, {pk: _typed(questions[pk], value) for pk, value in given.items()})
        except ValidationError as error:
            raise serializers.ValidationError({"answers": error.messages}) from None
        return Response(ApplicationSerializer(app).data)

    @document(
        "Déposer un fichier demandé par l'appel",
        "Dépose (en multipart/form-data) le fichier d'une question de type fichier ou d'un document demandé, "
        "au brouillon ou en réponse à une demande de complément ; il remplace le précédent. Le fichier est "
        "vérifié par son contenu (PDF, PNG ou JPEG, 10 Mo au plus)." + UNKNOWN,
        access=CARRIER,
        request={"multipart/form-data": AnswerFileSerializer},
        responses={201: AnswerSerializer},
    )
    @action(detail=True, methods=["post"], url_path="answer-files")
    def answer_files(self, request, pk=None):
        require_auth(request)
        app = self.get_object()  # "calls.act_as_carrier"
        payload = AnswerFileSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            answer = attach_answer_file(app, request.user, payload.validated_data["item"], payload.validated_data["file"])
        except ValidationError as error:
            raise serializers.ValidationError({"file": error.messages}) from None
        return Response(AnswerSerializer(answer).data, status=status.HTTP_201_CREATED)
