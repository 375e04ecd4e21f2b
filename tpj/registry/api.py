"""REST API of the registry under /api/v1/: entries (public read, member writes,
moderator transitions) and the map aggregation."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tpj.core import policy
from tpj.core.api import ChoiceField, Pagination, bounded_many, validation_error_detail
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import PUBLIC, document
from tpj.nomenclatures.models import Category, EligibilitySituation, EntryKind, Priority
from tpj.territories.models import Commune

from . import logo, mapdata
from .filters import EntryFilter
from .identifiers import check_contact, check_reference
from .limits import MAX_CONTACTS, MAX_PRIORITIES, MAX_SITUATIONS
from .models import ContactChannel, ReferenceType, TrustingBodyKind
from .search import SearchResults, entry_queryset
from .services import moderation
from .services.entries import EntryData, create_entry, save_entry
from .workflow import Move

TAG = "Annuaire"
MODERATORS = "les modérateurs territoriaux dont le périmètre couvre la fiche, s'ils n'en sont pas membres."
ENTRY_NOT_SEEN = " Une fiche que vous ne pouvez pas voir répond 404, jamais 401 ni 403 : son existence n'est pas révélée."

FILTER_PARAMETERS = [
    OpenApiParameter("priorite", OpenApiTypes.INT, many=True, description="Numéro de priorité (1 à 10), répétable"),
    OpenApiParameter("categorie", OpenApiTypes.STR, description="Code de catégorie (ex. creche)"),
    OpenApiParameter("type", OpenApiTypes.STR, description="Type de fiche : independant ou etablissement"),
    OpenApiParameter("region", OpenApiTypes.STR, description="Code INSEE de région"),
    OpenApiParameter("departement", OpenApiTypes.STR, description="Code INSEE de département"),
    OpenApiParameter("commune", OpenApiTypes.STR, description="Commune : code INSEE, code postal ou nom"),
    OpenApiParameter("q", OpenApiTypes.STR, description="Texte libre (insensible aux accents)"),
    OpenApiParameter("autour", OpenApiTypes.STR, description="Commune de référence : code INSEE, code postal ou nom"),
    OpenApiParameter("km", OpenApiTypes.NUMBER, description="Rayon autour de la commune (km, 20 par défaut)"),
    OpenApiParameter(
        "bbox", OpenApiTypes.STR, description="Zone affichée : longitude ouest, latitude sud, longitude est, latitude nord"
    ),
]


class PriorityOutSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="priority.number")
    label = serializers.CharField(source="priority.label")
    short_label = serializers.CharField(source="priority.short_label")
    description = serializers.CharField()


class EntrySerializer(serializers.Serializer):
    """The public face of an entry: consented contacts only."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(source="kind.slug")
    category = serializers.CharField(source="category.slug")
    category_label = serializers.CharField(source="category.label")
    address = serializers.CharField()
    postal_code = serializers.CharField()
    commune = serializers.CharField(source="commune_id", allow_null=True)
    commune_name = serializers.SerializerMethodField()
    departement = serializers.CharField(source="departement_id", allow_null=True)
    region = serializers.CharField(source="region_id", allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    geocoding_precision = serializers.CharField()
    website = serializers.CharField()
    state = serializers.CharField()
    priorities = PriorityOutSerializer(many=True)
    contacts = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    def get_commune_name(self, entry) -> str:
        return entry.commune.name if entry.commune_id else ""

    def get_contacts(self, entry) -> list[dict]:
        private = self.context.get("show_private", False)
        return [{"kind": c.kind, "value": c.value} for c in entry.contacts.all() if private or c.is_public]

    def get_verification_url(self, entry) -> str:
        return logo.verification_url(entry) if entry.revision_of_id is None else ""


class PriorityInSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Numéro de la priorité (1 à 10)")
    description = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, default="", help_text="Ce que fait l'acteur pour cette priorité"
    )


class SituationInSerializer(serializers.Serializer):
    situation = serializers.IntegerField(help_text="Numéro de la situation d'éligibilité (1 à 4)")
    trusting_body_name = serializers.CharField(max_length=200, help_text="Nom de l'organisme public qui fait confiance")
    trusting_body_kind = ChoiceField(choices=TrustingBodyKind.choices, help_text="Nature de cet organisme")
    reference_type = ChoiceField(choices=ReferenceType.choices, help_text="Nature de la référence qui le prouve")
    reference_value = serializers.CharField(max_length=100, help_text="Valeur de la référence (numéro, identifiant…)")

    def validate_situation(self, value):
        if not EligibilitySituation.objects.filter(number=value).exists():
            raise serializers.ValidationError("Situation d'éligibilité inconnue (1 à 4).")
        return value

    def validate(self, attrs):
        error = check_reference(attrs["reference_type"], attrs["reference_value"])
        if error:
            raise serializers.ValidationError({"reference_value": error})
        return attrs


class ContactInSerializer(serializers.Serializer):
    kind = ChoiceField(choices=ContactChannel.Kind.choices, help_text="Type de contact")
    value = serializers.CharField(max_length=200, help_text="Téléphone, adresse e-mail ou autre coordonnée")
    is_public = serializers.BooleanField(default=False, help_text="Publier ce contact sur la fiche (non par défaut)")

    def validate(self, attrs):
        error = check_contact(attrs["kind"], attrs["value"])
        if error:
            raise serializers.ValidationError({"value": error})
        return attrs


class EntryWriteSerializer(serializers.Serializer):
    kind = serializers.SlugRelatedField(
        slug_field="slug", queryset=EntryKind.objects.all(), help_text="Type de fiche : independant ou etablissement"
    )
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.filter(is_active=True), help_text="Code de la catégorie (ex. creche)"
    )
    name = serializers.CharField(max_length=200, help_text="Nom de l'activité ou de l'établissement")
    address = serializers.CharField(max_length=255, allow_blank=True, required=False, default="", help_text="Adresse postale")
    postal_code = serializers.RegexField(
        r"^\d{5}$",
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": "Le code postal comporte 5 chiffres."},
        help_text="Code postal (5 chiffres), cohérent avec la commune",
    )
    commune = serializers.CharField(required=False, allow_blank=True, default="", help_text="Code INSEE de la commune")
    website = serializers.URLField(max_length=300, allow_blank=True, required=False, default="", help_text="Site web")
    priorities = bounded_many(
        PriorityInSerializer(), MAX_PRIORITIES, required=False, help_text="Priorités déclarées (remplacent les précédentes)"
    )
    situations = bounded_many(
        SituationInSerializer(),
        MAX_SITUATIONS,
        required=False,
        help_text="Situations d'éligibilité et leurs preuves (remplacent les précédentes)",
    )
    contacts = bounded_many(ContactInSerializer(), MAX_CONTACTS, required=False, help_text="Contacts (remplacent les précédents)")

    def validate_priorities(self, value):
        numbers = set(Priority.objects.values_list("number", flat=True))
        for item in value:
            if item["number"] not in numbers:
                raise serializers.ValidationError(f"Priorité inconnue : {item['number']} (1 à 10).")
        return value

    def validate(self, attrs):
        code = attrs.get("commune")
        commune = None
        if code:
            commune = Commune.objects.filter(insee_code=code).first()
            if commune is None:
                raise serializers.ValidationError({"commune": f"Commune inconnue : « {code[:10]} » (code INSEE attendu)."})
            if attrs.get("postal_code") and not commune.has_postal_code(attrs["postal_code"]):
                raise serializers.ValidationError(
                    {
                        "postal_code": (
                            f"Le code postal {attrs['postal_code']} ne correspond pas à la commune {commune.name} "
                            f"(codes postaux : {', '.join(commune.postal_code_list)})."
                        )
                    }
                )
        attrs["commune_obj"] = commune
        return attrs

    def to_entry_data(self, partial_of=None) -> EntryData:
        """`partial_of` set: only the keys the client sent (`self.provided`) change."""
        data = self.validated_data
        provided = getattr(self, "provided", None) or set(self.initial_data)
        fields = {}
        mapping = {
            "kind": lambda v: ("kind_id", v.pk),
            "category": lambda v: ("category_id", v.pk),
            "name": lambda v: ("name", v.strip()),
            "address": lambda v: ("address", v.strip()),
            "postal_code": lambda v: ("postal_code", v),
            "website": lambda v: ("website", v),
        }
        for key, convert in mapping.items():
            if key in provided or partial_of is None:
                name, value = convert(data[key])
                fields[name] = value
        if "commune" in provided or partial_of is None:
            fields["commune_id"] = data["commune_obj"].pk if data.get("commune_obj") else None
        return EntryData(
            fields=fields,
            priorities={p["number"]: p.get("description", "") for p in data["priorities"]} if "priorities" in provided else None,
            situations=[dict(s) for s in data["situations"]] if "situations" in provided else None,
            contacts=[dict(c) for c in data["contacts"]] if "contacts" in provided else None,
        )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Motif, montré aux membres de la fiche"
    )


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
class EntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
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
        results = SearchResults(filters, request.query_params.get("page"), self.paginator.get_page_size(request))
        page = self.paginate_queryset(results)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(
        "Inscrire une activité",
        "Crée une fiche en brouillon dont vous êtes membre. Elle n'est publiée qu'après sa soumission puis sa "
        "vérification par un modérateur.",
        access="tout compte connecté.",
        request=EntryWriteSerializer,
        responses={201: EntrySerializer},
    )
    def create(self, request):
        payload = EntryWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = create_entry(request.user, payload.to_entry_data())
        self._object = entry
        return Response(self.get_serializer(entry_queryset().get(pk=entry.pk)).data, status=status.HTTP_201_CREATED)

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


@extend_schema(tags=[TAG])
class MapView(APIView):
    """Map features for a bounding box and zoom: counts by région, département, grid
    cluster, then points — a few thousand features at most, whatever the filters."""

    permission_classes = [AllowAny]

    @document(
        "Lire la carte de l'annuaire",
        "Ce que la carte affiche pour une zone et un niveau de zoom, avec les filtres de l'annuaire : des comptes "
        "par région, par département, par carreau, puis les points eux-mêmes — quelques milliers d'éléments au "
        "plus, quels que soient les filtres. `level` dit lequel.",
        access=PUBLIC,
        parameters=[
            OpenApiParameter("zoom", OpenApiTypes.INT, description="Niveau de zoom (0 à 22, 5 par défaut)"),
            *FILTER_PARAMETERS,
        ],
        responses=inline_serializer(
            "MapResponse",
            {
                "level": serializers.CharField(help_text="Niveau de détail : régions, départements, carreaux ou points"),
                "zoom": serializers.IntegerField(help_text="Niveau de zoom appliqué"),
                "total": serializers.IntegerField(help_text="Nombre de fiches correspondant aux filtres"),
                "territories": serializers.ListField(
                    child=serializers.DictField(), required=False, help_text="Comptes par région ou département"
                ),
                "clusters": serializers.ListField(
                    child=serializers.ListField(), required=False, help_text="[latitude, longitude, nombre]"
                ),
                "points": serializers.ListField(
                    child=serializers.ListField(), required=False, help_text="[id, latitude, longitude]"
                ),
            },
        ),
    )
    def get(self, request):
        try:
            filters = EntryFilter.from_query(request.query_params)
            zoom = int(request.query_params.get("zoom", "5"))
            if not 0 <= zoom <= 22:
                raise ValueError
        except DjangoValidationError as error:
            return Response(validation_error_detail(error), status=status.HTTP_400_BAD_REQUEST)
        except ValueError:
            return Response({"zoom": ["Le zoom est un entier entre 0 et 22."]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(mapdata.map_data(filters, zoom))
