"""/api/v1/training/moderation/: the moderators' queue and decisions (journey 2), through the
same workflow transitions as the site's moderation page: audited, and the organisation's
members notified. The national team moderates everywhere, a commissaire in its région."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core.api import ChoiceField, Pagination
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import document

from ..forms import ReasonForm
from ..models import Offer, OfferState
from ..services.offers import moderate
from ..workflow import Move
from .common import TAG, TextValue, form_data, form_errors, refuse, require_auth, service_errors
from .offers_write import MyOfferSerializer

MODERATORS = (
    "l'équipe nationale partout, un commissaire à la lutte contre la pauvreté dans sa région (celle du siège de "
    "l'organisme), jamais un membre de l'organisme."
)
NOT_SEEN = (
    " Une offre hors de votre périmètre (et non publiée) répond 404 ; une offre que vous voyez sans pouvoir la "
    "modérer, 403 avec le motif."
)
REASON_NAMES = {"motif": "reason"}


class OfferReasonSerializer(serializers.Serializer):
    motif = TextValue(help_text="Motif, communiqué à l'organisme (2 000 caractères au plus)")


class QueueQuerySerializer(serializers.Serializer):
    etat = ChoiceField(OfferState.choices, required=False, default=OfferState.SUBMITTED)


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Lister la file de modération",
        "Les offres de votre périmètre de modération dans l'état demandé (par défaut, en attente de modération), "
        "des plus anciennes soumissions aux plus récentes, comme la page de modération du site.",
        access=MODERATORS,
        parameters=[
            OpenApiParameter(
                "etat",
                OpenApiTypes.STR,
                enum=OfferState.values,
                description="État des offres : submitted (par défaut), published, changes_requested, rejected ou draft",
            )
        ],
    ),
    retrieve=document(
        "Lire une offre à modérer",
        "Une offre de votre périmètre, son état et le motif de la dernière décision." + NOT_SEEN,
        access=MODERATORS,
    ),
)
class ModerationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [PolicyPermission]
    policy_actions = {
        "list": "training.moderation_queue",
        "retrieve": "training.moderate",
        "verify": "training.moderate",
        "request_changes": "training.moderate",
        "reject": "training.moderate",
    }
    serializer_class = MyOfferSerializer
    pagination_class = Pagination
    lookup_value_regex = r"\d+"
    path_parameters = {"id": "Numéro de l'offre"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_auth(request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Offer.objects.none()
        user = self.request.user
        offers = Offer.objects.select_related("organisation").prefetch_related(
            "themes", "audiences", "funding_routes", "sessions__commune"
        )
        if self.action == "list":
            query = QueueQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            return offers.filter(
                pk__in=Offer.objects.moderated_by(user).values("pk"), state=query.validated_data["etat"]
            ).order_by("submitted_at", "id")
        return offers.filter(pk__in=Offer.objects.visible_to(user).values("pk"))

    def _decide(self, request, move):
        offer = self.get_object()  # "training.moderate": the policy before the state and the reason
        payload = OfferReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        form = ReasonForm(form_data(payload.validated_data, REASON_NAMES))
        if not form.is_valid():
            refuse(form_errors(form, REASON_NAMES))
        try:
            offer = moderate(offer, move, request.user, form.cleaned_data["reason"])
        except DjangoValidationError as error:
            refuse(service_errors(error, REASON_NAMES))
        return Response(self.get_serializer(self.get_queryset().get(pk=offer.pk)).data)

    @document(
        "Vérifier et publier une offre",
        "L'offre soumise est publiée : elle entre dans le catalogue et la recherche. Le motif est facultatif. Ses "
        "membres sont prévenus ; la décision est au journal d'audit. Une offre qui n'est pas en attente de "
        "modération est refusée (400, qui nomme son état)." + NOT_SEEN,
        access=MODERATORS,
        request=OfferReasonSerializer,
        responses=MyOfferSerializer,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._decide(request, Move.PUBLISH)

    @document(
        "Demander des modifications sur une offre",
        "Renvoie l'offre soumise à son organisme avec le motif (`motif`, obligatoire) des modifications attendues ; "
        "ses membres sont prévenus, la décision est au journal d'audit." + NOT_SEEN,
        access=MODERATORS,
        request=OfferReasonSerializer,
        responses=MyOfferSerializer,
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        return self._decide(request, Move.REQUEST_CHANGES)

    @document(
        "Refuser une offre",
        "Refuse l'offre soumise avec un motif (`motif`, obligatoire) que ses membres lisent ; ils sont prévenus, la "
        "décision est au journal d'audit. L'organisme peut la corriger et la soumettre à nouveau." + NOT_SEEN,
        access=MODERATORS,
        request=OfferReasonSerializer,
        responses=MyOfferSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, Move.REJECT)
