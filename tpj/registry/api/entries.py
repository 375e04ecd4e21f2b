"""Entries API: the public directory read, members' writes and moderators' transitions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core import policy
from tpj.core.api import Pagination, TransactionForWritesOnly, validation_error_detail
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import PUBLIC, document
from tpj.core.renderers import fast_json_renderers

from ..filters import EntryFilter
from ..search import SearchResults, entry_queryset
from ..services import moderation
from ..services.entries import create_entry, save_entry
from ..workflow import Move
from .common import FILTER_PARAMETERS, TAG
from .serializers import EntrySerializer, EntryWriteSerializer, ReasonSerializer, public_entries

MODERATORS = "les modérateurs territoriaux dont le périmètre couvre la fiche, s'ils n'en sont pas membres."
ENTRY_NOT_SEEN = " Une fiche que vous ne pouvez pas voir répond 404, jamais 401 ni 403 : son existence n'est pas révélée."


class EntryPagination(Pagination):
    page_size = 20


@extend_schema(tags=[TAG])
@extend_schema_view(
    retrieve=document(
        "Lire une fiche",
        "Une fiche de l'annuaire : ses priorités, ses contacts publics (tous ses contacts pour ses membres) et "
        "l'adresse de vérification de son logo." + ENTRY_NOT_SEEN,
        access="public pour une fiche vérifiée ; ses membres, ses modérateurs et l'équipe nationale pour les autres.",
    )
)
class EntryViewSet(TransactionForWritesOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Directory entries. Lists show verified entries only; members and moderators in scope
    also read the others by id. An entry the user may not see answers 404 to every
    detail action (read, edit, transitions), never 401/403: its existence is not told."""

    permission_classes = [PolicyPermission]
    policy_actions = {
        "list": "registry.view_public",
        "retrieve": "registry.view_entry",
        "create": "registry.create",
        "partial_update": "registry.edit",
        "submit": "registry.submit",
        "verify": "registry.moderate",
        "reject": "registry.moderate",
        "request_changes": "registry.moderate",
        "suspend": "registry.moderate",
    }
    object_policy_actions = ("registry.view_entry", "registry.edit", "registry.submit", "registry.moderate")
    serializer_class = EntrySerializer
    pagination_class = EntryPagination
    renderer_classes = fast_json_renderers()
    http_method_names = ["get", "post", "patch", "head", "options"]
    path_parameters = {"id": "Numéro de la fiche"}

    def get_queryset(self):
        if self.action == "list":
            return entry_queryset().published()
        return entry_queryset().visible_to(self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        obj = getattr(self, "_object", None)
        context["show_private"] = bool(obj is not None and policy.check(self.request.user, "registry.edit", obj))
        return context

    def get_object(self):
        """404 for an entry the user may not see, whatever the action (its existence is not
        told); the action's own rule then answers 401/403 on an entry the user sees."""
        entry = super().get_object()  # get_queryset() holds only the entries the user may see
        self._object = entry
        return entry

    def check_object_permissions(self, request, obj):
        if not policy.check(request.user, "registry.view_entry", obj):
            raise Http404  # the queryset and the rule disagree: still never tell it exists
        super().check_object_permissions(request, obj)

    @document(
        "Rechercher dans l'annuaire",
        "Les fiches vérifiées (publiées), 20 par page, filtrées comme la page Annuaire : priorités, catégorie, "
        "type, territoire, texte libre, distance autour d'une commune ou zone de carte. Un filtre mal formé "
        "répond 400 avec un message par paramètre.",
        access=PUBLIC,
        parameters=FILTER_PARAMETERS,
    )
    def list(self, request, *args, **kwargs):
        try:
            filters = EntryFilter.from_query(request.query_params)
        except DjangoValidationError as error:
            return Response(validation_error_detail(error), status=status.HTTP_400_BAD_REQUEST)
        # The page as EntrySerializer shows it to anyone, read as plain values (serializers.public_entries).
        results = SearchResults(
            filters, request.query_params.get("page"), self.paginator.get_page_size(request), read=public_entries
        )
        return self.get_paginated_response(self.paginate_queryset(results))

    @document(
        "Inscrire une activité",
        "Crée une fiche en brouillon dont vous êtes membre. Elle n'est publiée qu'après sa soumission puis sa "
        "vérification par un modérateur. Avec le même `client_token`, un envoi rejoué renvoie la fiche déjà créée "
        "(200) au lieu d'un doublon (201).",
        access="tout compte connecté.",
        request=EntryWriteSerializer,
        responses={201: EntrySerializer, 200: EntrySerializer},
    )
    def create(self, request):
        payload = EntryWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry, created = create_entry(request.user, payload.to_entry_data(), payload.validated_data.get("client_token"))
        self._object = entry
        return Response(
            self.get_serializer(entry_queryset().get(pk=entry.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @document(
        "Modifier une fiche",
        "Modifie les champs envoyés, et eux seuls ; une liste envoyée (priorités, situations, contacts) remplace "
        "la précédente. Modifier une fiche vérifiée crée une révision à faire vérifier, la fiche publiée restant "
        "en ligne." + ENTRY_NOT_SEEN,
        access="les membres de la fiche.",
        request=EntryWriteSerializer,
        responses={200: EntrySerializer},
    )
    def partial_update(self, request, pk=None):
        entry = self.get_object()
        payload = EntryWriteSerializer(data={**_current(entry), **request.data}, partial=False)
        payload.provided = set(request.data)
        payload.is_valid(raise_exception=True)
        target, _ = save_entry(entry, request.user, payload.to_entry_data(partial_of=entry))
        return Response(self.get_serializer(entry_queryset().get(pk=target.pk)).data)

    def _transition(self, request, name):
        entry = self.get_object()
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        text = reason.validated_data.get("reason", "")
        entry = (
            moderation.submit(entry, request.user)
            if name == Move.SUBMIT
            else moderation.moderate(entry, name, request.user, text)
        )
        return Response(self.get_serializer(entry_queryset().get(pk=entry.pk)).data)

    @document(
        "Soumettre une fiche à la modération",
        "Envoie la fiche (brouillon ou à compléter) aux modérateurs de son territoire." + ENTRY_NOT_SEEN,
        access="les membres de la fiche.",
        request=None,
        responses=EntrySerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the entry to moderation (members)."""
        return self._transition(request, Move.SUBMIT)

    @document(
        "Vérifier et publier une fiche",
        "La fiche soumise devient vérifiée : elle apparaît dans l'annuaire et sur la carte, et ses membres peuvent "
        "utiliser le logo. Le motif est facultatif." + ENTRY_NOT_SEEN,
        access=MODERATORS,
        request=ReasonSerializer,
        responses=EntrySerializer,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Verify and publish (moderators in scope)."""
        return self._transition(request, Move.VERIFY)

    @document(
        "Refuser une fiche",
        "Refuse la fiche soumise, avec un motif que ses membres lisent." + ENTRY_NOT_SEEN,
        access=MODERATORS,
        request=ReasonSerializer,
        responses=EntrySerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject, with a reason the registrant sees (moderators in scope)."""
        return self._transition(request, Move.REJECT)

    @document(
        "Demander des compléments sur une fiche",
        "Renvoie la fiche soumise à ses membres, avec le motif des compléments attendus." + ENTRY_NOT_SEEN,
        access=MODERATORS,
        request=ReasonSerializer,
        responses=EntrySerializer,
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        """Ask the registrant for changes, with a reason (moderators in scope)."""
        return self._transition(request, Move.REQUEST_CHANGES)

    @document(
        "Suspendre une fiche vérifiée",
        "Retire de l'annuaire une fiche vérifiée, avec un motif que ses membres lisent ; le logo n'est plus "
        "valable." + ENTRY_NOT_SEEN,
        access=MODERATORS,
        request=ReasonSerializer,
        responses=EntrySerializer,
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """Suspend a verified entry, with a reason (moderators in scope)."""
        return self._transition(request, Move.SUSPEND)


def _current(entry) -> dict:
    return {
        "kind": entry.kind.slug,
        "category": entry.category.slug,
        "name": entry.name,
        "address": entry.address,
        "postal_code": entry.postal_code,
        "commune": entry.commune_id or "",
        "website": entry.website,
    }
