"""/api/v1/training/plans/: a team's training plans (journey 4), each its owner's alone (another
person's plan answers 404). Names, notes and chosen sessions are validated by the site's forms
(plan_forms.py) and written by tpj.training.services.plans, audited as on the site."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core.api import IdField, Pagination
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import document

from ..models import Offer, PlanItem, TrainingPlan
from ..plan_forms import PlanItemForm, PlanNameForm
from ..services import plans as plan_services
from .common import TAG, TextValue, form_data, form_errors, refuse, require_auth, service_errors

OWNER = "l'auteur du plan (tout compte connecté, pour ses propres plans)."
NOT_YOURS = " Le plan d'une autre personne répond 404, comme un plan inconnu."
NAME_NAMES = {"nom": "name"}
ITEM_NAMES = {"qui": "attendees", "note": "note", "session": "session"}


class PlanNameSerializer(serializers.Serializer):
    nom = TextValue(help_text="Nom du plan, par exemple « Équipe de la crèche des Lutins — 2027 » (200 caractères au plus)")


class PlanItemWriteSerializer(serializers.Serializer):
    qui = TextValue(help_text="Qui doit y aller : prénoms ou postes (2 000 caractères au plus)")
    note = TextValue(help_text="Note de l'équipe (2 000 caractères au plus)")
    session = IdField(
        required=False, allow_null=True, help_text="Numéro d'une session à venir de l'offre ; null : la prochaine session"
    )


class PlanItemAddSerializer(PlanItemWriteSerializer):
    offre = IdField(required=False, allow_null=True, help_text="Numéro de l'offre publiée à ajouter (obligatoire)")


class PlanItemSerializer(serializers.ModelSerializer):
    offre = serializers.IntegerField(source="offer_id", help_text="Numéro de l'offre")
    intitule = serializers.CharField(source="offer.title", help_text="Intitulé de l'offre")
    session = serializers.IntegerField(source="session_id", allow_null=True, help_text="Session choisie (null : la prochaine)")
    qui = serializers.CharField(source="attendees", help_text="Qui doit y aller")
    ajoutee_le = serializers.DateTimeField(source="added_at", help_text="Date d'ajout au plan")

    class Meta:
        model = PlanItem
        fields = ["id", "offre", "intitule", "session", "qui", "note", "ajoutee_le"]


class PlanSerializer(serializers.ModelSerializer):
    nom = serializers.CharField(source="name", help_text="Nom du plan")
    cree_le = serializers.DateTimeField(source="created_at", help_text="Création")
    modifie_le = serializers.DateTimeField(source="updated_at", help_text="Dernière modification")
    offres = PlanItemSerializer(source="items", many=True, read_only=True, help_text="Offres du plan, par date d'ajout")

    class Meta:
        model = TrainingPlan
        fields = ["id", "nom", "cree_le", "modifie_le", "offres"]


def _item_form(values: dict, item: PlanItem, sessions) -> PlanItemForm:
    return PlanItemForm(form_data(values, ITEM_NAMES), instance=item, sessions=sessions)


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Lister mes plans de formation",
        "Vos plans de formation, du plus récemment modifié au plus ancien, avec leurs offres.",
        access="tout compte connecté ; la liste ne contient que vos plans.",
    ),
    retrieve=document(
        "Lire un de mes plans de formation",
        "Le plan, ses offres, qui doit y aller, les notes et les sessions choisies." + NOT_YOURS,
        access=OWNER,
    ),
)
class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [PolicyPermission]
    policy_actions = dict.fromkeys(
        ["list", "create", "retrieve", "partial_update", "destroy", "add_item", "item"], "training.plans"
    )
    serializer_class = PlanSerializer
    pagination_class = Pagination
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    path_parameters = {"id": "Numéro du plan", "item_id": "Numéro de l'offre dans le plan (champ `id` de `offres`)"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_auth(request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TrainingPlan.objects.none()
        return (
            TrainingPlan.objects.owned_by(self.request.user)
            .prefetch_related("items__offer")
            .annotate(offer_count=Count("items"))
            .order_by("-updated_at", "id")
        )

    def _response(self, plan, code=status.HTTP_200_OK):
        return Response(PlanSerializer(self.get_queryset().get(pk=plan.pk)).data, status=code)

    def _name(self, request) -> str:
        payload = PlanNameSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        form = PlanNameForm(form_data(payload.validated_data, NAME_NAMES))
        if not form.is_valid():
            refuse(form_errors(form, NAME_NAMES))
        return form.cleaned_data["name"]

    @document(
        "Créer un plan de formation",
        "Crée un plan vide, à son nom (obligatoire, 200 caractères au plus) ; 50 plans au plus par personne. Au journal d'audit.",
        access="tout compte connecté.",
        request=PlanNameSerializer,
        responses={201: PlanSerializer},
    )
    def create(self, request):
        try:
            plan = plan_services.create_plan(request.user, self._name(request))
        except DjangoValidationError as error:
            refuse({"nom": error.messages})
        return self._response(plan, status.HTTP_201_CREATED)

    @document(
        "Renommer un plan de formation",
        "Change le nom du plan (obligatoire, 200 caractères au plus) ; au journal d'audit." + NOT_YOURS,
        access=OWNER,
        request=PlanNameSerializer,
        responses=PlanSerializer,
    )
    def partial_update(self, request, pk=None):
        plan = self.get_object()
        try:
            plan_services.rename_plan(request.user, plan, self._name(request))
        except DjangoValidationError as error:
            refuse({"nom": error.messages})
        return self._response(plan)

    @document(
        "Supprimer un plan de formation",
        "Supprime le plan et ses notes ; les offres restent au catalogue. Au journal d'audit." + NOT_YOURS,
        access=OWNER,
        responses={204: None},
    )
    def destroy(self, request, pk=None):
        plan_services.delete_plan(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @document(
        "Ajouter une offre à un plan",
        "Ajoute l'offre publiée `offre` au plan, avec la session visée (l'une de ses sessions à venir ; null : la "
        "prochaine), qui doit y aller et une note. Une offre déjà dans le plan n'est pas ajoutée deux fois : ce qui "
        "est envoyé met à jour sa ligne (200 au lieu de 201). Un refus (400, en français) n'enregistre rien." + NOT_YOURS,
        access=OWNER,
        request=PlanItemAddSerializer,
        responses={201: PlanItemSerializer, 200: PlanItemSerializer},
    )
    @action(detail=True, methods=["post"], url_path="items")
    def add_item(self, request, pk=None):
        plan = self.get_object()
        payload = PlanItemAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        offer = None if data.get("offre") is None else Offer.objects.filter(pk=data["offre"]).first()
        if offer is None:
            message = "Indiquez l'offre à ajouter (son numéro)." if data.get("offre") is None else "Offre inconnue."
            refuse({"offre": [message]})
        existing = PlanItem.objects.filter(plan=plan, offer=offer).select_related("session").first()
        item = existing or PlanItem(plan=plan, offer=offer)
        current = {"qui": item.attendees, "note": item.note, "session": item.session_id}
        sent = {key: value for key, value in data.items() if key in request.data and key != "offre"}
        form = _item_form({**current, **sent}, item, plan_services.upcoming_sessions(offer))
        if not form.is_valid():
            refuse(form_errors(form, ITEM_NAMES))
        try:
            with transaction.atomic():
                item, created = plan_services.add_offer(request.user, plan, offer, form.cleaned_data["session_obj"])
                if not created or sent.keys() - {"session"}:
                    plan_services.update_item(
                        request.user,
                        item,
                        attendees=form.cleaned_data["attendees"],
                        note=form.cleaned_data["note"],
                        session=form.cleaned_data["session_obj"],
                    )
        except DjangoValidationError as error:
            refuse(service_errors(error, {"offre": "offre"}))
        item = PlanItem.objects.select_related("offer").get(pk=item.pk)
        return Response(PlanItemSerializer(item).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @document(
        "Modifier une offre d'un plan",
        "Modifie ce qui est envoyé parmi qui doit y aller, la note et la session visée (l'une des sessions de "
        "l'offre ; null : la prochaine). Une offre inconnue du plan répond 404." + NOT_YOURS,
        access=OWNER,
        methods=["PATCH"],
        request=PlanItemWriteSerializer,
        responses=PlanItemSerializer,
    )
    @document(
        "Retirer une offre d'un plan",
        "Retire l'offre du plan, avec sa note ; au journal d'audit. Une offre inconnue du plan répond 404." + NOT_YOURS,
        access=OWNER,
        methods=["DELETE"],
        responses={204: None},
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"items/(?P<item_id>\d+)")
    def item(self, request, pk=None, item_id=None):
        plan = self.get_object()
        item = get_object_or_404(PlanItem.objects.select_related("plan", "offer", "session"), pk=item_id, plan=plan)
        if request.method == "DELETE":
            plan_services.remove_item(request.user, item)
            return Response(status=status.HTTP_204_NO_CONTENT)
        payload = PlanItemWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sent = {key: value for key, value in payload.validated_data.items() if key in request.data}
        current = {"qui": item.attendees, "note": item.note, "session": item.session_id}
        form = _item_form({**current, **sent}, item, plan_services.upcoming_sessions(item.offer))
        if not form.is_valid():
            refuse(form_errors(form, ITEM_NAMES))
        try:
            plan_services.update_item(
                request.user,
                item,
                attendees=form.cleaned_data["attendees"],
                note=form.cleaned_data["note"],
                session=form.cleaned_data["session_obj"],
            )
        except DjangoValidationError as error:
            refuse(service_errors(error, ITEM_NAMES))
        return Response(PlanItemSerializer(item).data)
