"""/api/v1/training/my-offers/: a training organisation's members write their offers (journey 1).

The offer's fields are validated by the site's OfferForm, its sessions by SessionForm (the
formset, when sent with a new offer), then saved by tpj.training.services.offers in one
transaction; submission and withdrawal are the workflow's transitions, as on the site.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tpj.core import policy
from tpj.core.api import ChoiceField, IdField, Pagination, bounded_many
from tpj.core.api_permissions import PolicyPermission
from tpj.core.openapi import document
from tpj.core.validators import bounded_list

from ..forms import MAX_SESSIONS, OfferForm, SessionForm, SessionFormSet
from ..models import Audience, Format, FundingRoute, Offer, OfferState, Session, TrainingOrganisation
from ..services import offers as offer_services
from ..services.reports import plain
from .common import TAG, TextValue, form_data, form_errors, refuse, require_auth, service_errors
from .serializers import OfferSerializer, SessionSerializer

THEMES_MAX = 7  # the training plan's 7 themes
MEMBERS = "les membres de l'organisme de formation de l'offre."
NOT_SEEN = (
    " Une offre que vous ne pouvez pas voir répond 404 ; une offre que vous voyez sans en être membre "
    "(publiée, ou dans votre périmètre de modération), 403."
)

# API field -> OfferForm field
OFFER_NAMES = {
    "intitule": "title",
    "themes": "themes",
    "publics": "audiences",
    "objectifs": "objectives",
    "programme": "programme",
    "duree_heures": "duration_hours",
    "modalite": "format",
    "prix": "price",
    "financements": "funding_routes",
    "precisions_financement": "funding_details",
    "prerequis": "prerequisites",
    "accessibilite": "accessibility",
    "lien_inscription": "registration_url",
    "courriel_contact": "contact_email",
}
# API field -> SessionForm field
SESSION_NAMES = {
    "debut": "start_date",
    "fin": "end_date",
    "commune": "commune",
    "a_distance": "is_remote",
    "places": "capacity",
    "places_restantes": "seats_left",
}


# -- Bodies ------------------------------------------------------------------------------------


class SessionWriteSerializer(serializers.Serializer):
    debut = serializers.DateField(
        required=False, allow_null=True, help_text="Premier jour (obligatoire pour une nouvelle session)"
    )
    fin = serializers.DateField(required=False, allow_null=True, help_text="Dernier jour, au plus tôt le premier")
    commune = TextValue(help_text="Commune : code INSEE, code postal ou nom ; vide pour une session à distance")
    a_distance = serializers.BooleanField(required=False, help_text="Session à distance (sans commune)")
    places = serializers.IntegerField(required=False, allow_null=True, help_text="Nombre de places, au moins 1")
    places_restantes = serializers.IntegerField(
        required=False, allow_null=True, help_text="Places encore libres, au plus le nombre de places (vide : toutes)"
    )


class OfferWriteSerializer(serializers.Serializer):
    intitule = TextValue(help_text="Intitulé (obligatoire, 200 caractères au plus)")
    themes = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Numéros des thèmes du plan de formation (1 à 7)",
        **bounded_list(THEMES_MAX),
    )
    publics = serializers.ListField(
        child=ChoiceField(Audience.choices), required=False, help_text="Publics visés", **bounded_list(len(Audience))
    )
    objectifs = TextValue(help_text="Objectifs")
    programme = TextValue(help_text="Programme, en texte brut (une balise HTML est affichée telle quelle)")
    duree_heures = TextValue(help_text="Durée en heures, par exemple 14 ou 10.5")
    modalite = ChoiceField(Format.choices, required=False, allow_blank=True, help_text="Modalité")
    prix = TextValue(help_text="Prix par participant en euros, au plus 2 décimales (0 : gratuit), par exemple 349.90")
    financements = serializers.ListField(
        child=ChoiceField(FundingRoute.choices),
        required=False,
        help_text="Voies de financement",
        **bounded_list(len(FundingRoute)),
    )
    precisions_financement = TextValue(help_text="Précisions sur le financement, en quelques mots")
    prerequis = TextValue(help_text="Prérequis")
    accessibilite = TextValue(help_text="Accessibilité aux personnes en situation de handicap")
    lien_inscription = TextValue(help_text="Lien d'inscription : adresse web en http:// ou https://")
    courriel_contact = TextValue(help_text="Courriel de contact")


class OfferCreateSerializer(OfferWriteSerializer):
    organisme = IdField(required=False, allow_null=True, help_text="Numéro de l'organisme de formation (dont vous êtes membre)")
    sessions = bounded_many(
        SessionWriteSerializer(), MAX_SESSIONS, required=False, help_text="Sessions de l'offre, enregistrées avec elle"
    )


class MyOfferSerializer(OfferSerializer):
    """An offer as its members and moderators see it: the public fields, and its state."""

    organisme_id = serializers.IntegerField(source="organisation_id", help_text="Numéro de l'organisme de formation")
    etat = serializers.CharField(source="state", help_text="draft, submitted, published, changes_requested ou rejected")
    etat_libelle = serializers.CharField(source="get_state_display", help_text="État, en français")
    motif_decision = serializers.CharField(source="decision_reason", help_text="Motif de la dernière décision de modération")
    prix = serializers.SerializerMethodField(help_text="Prix par participant en euros (null : non précisé)")
    soumise_le = serializers.DateTimeField(source="submitted_at", allow_null=True, help_text="Dernière soumission")
    publiee_le = serializers.DateTimeField(source="published_at", allow_null=True, help_text="Dernière publication")
    modifiable = serializers.SerializerMethodField(help_text="Vrai tant que l'organisme peut modifier l'offre")

    class Meta(OfferSerializer.Meta):
        fields = [
            *OfferSerializer.Meta.fields,
            "organisme_id",
            "etat",
            "etat_libelle",
            "motif_decision",
            "prix",
            "soumise_le",
            "publiee_le",
            "modifiable",
        ]

    def get_prix(self, offer) -> str | None:
        return None if offer.price_cents is None else str(plain(Decimal(offer.price_cents) / 100))

    def get_modifiable(self, offer) -> bool:
        return offer.state in offer_services.EDITABLE_STATES


# -- Values and forms --------------------------------------------------------------------------


def offer_values(offer: Offer) -> dict:
    """The offer's stored values, as the API writes them (what a PATCH does not send stays)."""
    return {
        "intitule": offer.title,
        "themes": [theme.number for theme in offer.themes.all()],
        "publics": offer.audience_values,
        "objectifs": offer.objectives,
        "programme": offer.programme,
        "duree_heures": "" if offer.duration_hours is None else str(plain(offer.duration_hours)),
        "modalite": offer.format,
        "prix": "" if offer.price_cents is None else str(plain(Decimal(offer.price_cents) / 100)),
        "financements": offer.funding_values,
        "precisions_financement": offer.funding_details,
        "prerequis": offer.prerequisites,
        "accessibilite": offer.accessibility,
        "lien_inscription": offer.registration_url,
        "courriel_contact": offer.contact_email,
    }


def session_values(session: Session) -> dict:
    return {
        "debut": session.start_date,
        "fin": session.end_date,
        "commune": session.commune.insee_code if session.commune_id else "",
        "a_distance": session.is_remote,
        "places": session.capacity,
        "places_restantes": session.seats_left,
    }


def offer_form(values: dict, offer: Offer) -> OfferForm:
    form = OfferForm(form_data(values, OFFER_NAMES), instance=offer)
    form.fields["themes"].to_field_name = "number"  # the API names a theme by its number, as it reads it
    return form


def sessions_formset(items: list[dict], offer: Offer):
    prefix = "sessions"
    data = {f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, item in enumerate(items):
        data.update(form_data(item, SESSION_NAMES, prefix=f"{prefix}-{index}-"))
    # A session sent empty is refused as on the site's form, not skipped.
    return SessionFormSet(data, instance=offer, prefix=prefix, form_kwargs={"empty_permitted": False})


def formset_errors(formset) -> dict:
    errors = {}
    if any(formset.errors):
        errors["sessions"] = [form_errors(form, SESSION_NAMES) for form in formset.forms]
    if formset.non_form_errors():
        errors.setdefault("non_field_errors", []).extend(formset.non_form_errors())
    return errors


def _save_offer(user, form, sessions=None) -> Offer:
    try:
        return offer_services.save_offer(
            user,
            form.instance,
            themes=form.cleaned_data["themes"],
            audiences=form.cleaned_data["audiences"],
            funding_routes=form.cleaned_data["funding_routes"],
            sessions=sessions,
        )
    except DjangoValidationError as error:
        refuse(service_errors(error, OFFER_NAMES))


# -- The viewset -------------------------------------------------------------------------------


def _offers():
    return Offer.objects.select_related("organisation").prefetch_related(
        "themes", "audiences", "funding_routes", "sessions__commune"
    )


class MyOfferPagination(Pagination):
    page_size = 20


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=document(
        "Lister mes offres de formation",
        "Les offres des organismes de formation dont vous êtes membre, dans tous leurs états (brouillon, en "
        "modération, publiée, modifications demandées, refusée), par organisme puis par intitulé, avec leurs sessions.",
        access="tout compte connecté ; la liste ne contient que les offres de vos organismes.",
    ),
    retrieve=document(
        "Lire une de mes offres",
        "Une offre, son état et le motif de la dernière décision de modération, avec ses sessions." + NOT_SEEN,
        access="les membres de l'organisme de formation et ses modérateurs.",
    ),
)
class MyOfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [PolicyPermission]
    policy_actions = {
        "list": "training.my_offers",
        "create": "training.my_offers",  # then "training.create_offer" on the organisation sent
        "retrieve": "training.view_private",
        "partial_update": "training.edit",
        "submit": "training.submit",
        "withdraw": "training.withdraw",
        "add_session": "training.edit",
        "session": "training.edit",
    }
    serializer_class = MyOfferSerializer
    pagination_class = MyOfferPagination
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    path_parameters = {"id": "Numéro de l'offre", "session_id": "Numéro de la session de l'offre"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_auth(request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Offer.objects.none()
        user = self.request.user
        if self.action == "list":
            return (
                _offers().filter(pk__in=Offer.objects.of_member(user).values("pk")).order_by("organisation__name", "title", "id")
            )
        return _offers().filter(pk__in=Offer.objects.visible_to(user).values("pk"))

    def _response(self, offer, code=status.HTTP_200_OK):
        return Response(self.get_serializer(_offers().get(pk=offer.pk)).data, status=code)

    @document(
        "Créer une offre de formation",
        "Crée un brouillon dans l'organisme `organisme`, avec ses sessions s'il y en a. Les champs sont vérifiés "
        "comme dans le formulaire du site (intitulé de 200 caractères au plus, thème inconnu, prix négatif ou à plus "
        "de 2 décimales, lien d'inscription qui n'est pas en http ou https, session qui finit avant de commencer ou "
        "commence dans le passé, places restantes au-delà des places…) : un seul refus fait tout refuser (400, un "
        "message en français par champ) et rien n'est enregistré. L'offre n'est publiée qu'après sa soumission puis "
        "sa vérification.",
        access="les membres de l'organisme de formation (403 pour un autre organisme).",
        request=OfferCreateSerializer,
        responses={201: MyOfferSerializer},
    )
    def create(self, request):
        payload = OfferCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        errors, organisation = {}, None
        if data.get("organisme") is None:
            errors["organisme"] = ["Indiquez l'organisme de formation de l'offre (son numéro)."]
        else:
            organisation = TrainingOrganisation.objects.filter(pk=data["organisme"]).first()
            if organisation is None:
                errors["organisme"] = [f"Organisme de formation inconnu : n° {data['organisme']}."]
            else:
                policy.require(request.user, "training.create_offer", organisation)
        offer = offer_services.new_offer(organisation) if organisation else Offer(state=OfferState.DRAFT)
        form = offer_form(data, offer)
        sessions = sessions_formset(data.get("sessions", []), offer)
        if not form.is_valid():
            errors.update(form_errors(form, OFFER_NAMES))
        if not sessions.is_valid():
            errors.update(formset_errors(sessions))
        if errors:
            refuse(errors)
        offer = _save_offer(request.user, form, sessions)
        return self._response(offer, status.HTTP_201_CREATED)

    @document(
        "Modifier une de mes offres",
        "Modifie les champs envoyés, et eux seuls (une liste envoyée remplace la précédente) ; les sessions se "
        "modifient par `sessions/`. L'offre doit être modifiable : brouillon, modifications demandées ou refusée "
        "(une offre publiée se retire d'abord de la publication). Les champs sont vérifiés comme dans le formulaire "
        "du site ; un refus n'enregistre rien." + NOT_SEEN,
        access=MEMBERS,
        request=OfferWriteSerializer,
        responses=MyOfferSerializer,
    )
    def partial_update(self, request, pk=None):
        offer = self.get_object()
        offer_services.check_editable(offer.state)
        payload = OfferWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sent = {key: value for key, value in payload.validated_data.items() if key in request.data}
        form = offer_form({**offer_values(offer), **sent}, offer)
        if not form.is_valid():
            refuse(form_errors(form, OFFER_NAMES))
        return self._response(_save_offer(request.user, form))

    def _move(self, request, move):
        offer = self.get_object()
        _ = request.data  # the body, if any, is parsed (a malformed one is a French 400), never used
        try:
            offer = move(offer, request.user)
        except DjangoValidationError as error:
            refuse(service_errors(error))
        return self._response(offer)

    @document(
        "Soumettre une offre à la modération",
        "Envoie l'offre (brouillon, modifications demandées ou refusée) aux modérateurs : l'équipe nationale et le "
        "commissaire de la région de l'organisme, prévenus. Une offre incomplète est refusée avec la liste de ce qui "
        "manque (400), par exemple une offre sans session. La transition est au journal d'audit." + NOT_SEEN,
        access=MEMBERS,
        request=None,
        responses=MyOfferSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(request, offer_services.submit)

    @document(
        "Retirer une offre de la publication",
        "Ramène une offre publiée au brouillon pour la modifier ; elle quitte le catalogue jusqu'à sa nouvelle "
        "vérification." + NOT_SEEN,
        access=MEMBERS,
        request=None,
        responses=MyOfferSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._move(request, offer_services.withdraw)

    def _save_session(self, request, offer, session, values, code):
        form = SessionForm(form_data(values, SESSION_NAMES), instance=session)
        if not form.is_valid():
            refuse(form_errors(form, SESSION_NAMES))
        try:
            session = offer_services.save_session(request.user, offer, form.instance)
        except DjangoValidationError as error:
            refuse(service_errors(error, SESSION_NAMES))
        return Response(SessionSerializer(session).data, status=code)

    @document(
        "Ajouter une session à une offre",
        "Ajoute une session à l'offre modifiable : dates (une nouvelle session ne commence pas dans le passé et ne "
        "finit pas avant de commencer), commune ou à distance, places (au moins 1) et places restantes (au plus les "
        "places ; vide : toutes). Au journal d'audit de l'offre." + NOT_SEEN,
        access=MEMBERS,
        request=SessionWriteSerializer,
        responses={201: SessionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="sessions")
    def add_session(self, request, pk=None):
        offer = self.get_object()
        offer_services.check_editable(offer.state)
        payload = SessionWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if offer.sessions.count() >= MAX_SESSIONS:
            refuse({"non_field_errors": [f"Une offre compte au plus {MAX_SESSIONS} sessions."]})
        session = Session(offer=offer)
        return self._save_session(request, offer, session, payload.validated_data, status.HTTP_201_CREATED)

    @document(
        "Modifier une session d'une offre",
        "Modifie les champs envoyés de la session, vérifiés comme dans le formulaire du site. Une session inconnue "
        "de cette offre répond 404." + NOT_SEEN,
        access=MEMBERS,
        methods=["PATCH"],
        request=SessionWriteSerializer,
        responses=SessionSerializer,
    )
    @document(
        "Supprimer une session d'une offre",
        "Supprime la session de l'offre modifiable ; au journal d'audit de l'offre. Une session inconnue de cette "
        "offre répond 404." + NOT_SEEN,
        access=MEMBERS,
        methods=["DELETE"],
        responses={204: None},
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"sessions/(?P<session_id>\d+)")
    def session(self, request, pk=None, session_id=None):
        offer = self.get_object()
        session = get_object_or_404(Session.objects.select_related("commune"), pk=session_id, offer=offer)
        offer_services.check_editable(offer.state)
        if request.method == "DELETE":
            try:
                offer_services.delete_session(request.user, offer, session)
            except DjangoValidationError as error:
                refuse(service_errors(error))
            return Response(status=status.HTTP_204_NO_CONTENT)
        payload = SessionWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sent = {key: value for key, value in payload.validated_data.items() if key in request.data}
        with transaction.atomic():
            return self._save_session(request, offer, session, {**session_values(session), **sent}, status.HTTP_200_OK)
