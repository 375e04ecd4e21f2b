"""What the API shows of published offers and their sessions (read only)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Offer, Session


class LabelledValueSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code stable")
    libelle = serializers.CharField(help_text="Libellé en français")


class SessionSerializer(serializers.ModelSerializer):
    debut = serializers.DateField(source="start_date", help_text="Premier jour de la session")
    fin = serializers.DateField(source="end_date", help_text="Dernier jour de la session")
    a_distance = serializers.BooleanField(source="is_remote", help_text="Session à distance (sans commune)")
    commune = serializers.SerializerMethodField(help_text="Commune de la session (null si à distance)")
    places = serializers.IntegerField(source="capacity", help_text="Nombre de places")
    places_restantes = serializers.IntegerField(source="seats_left", help_text="Places encore libres")
    offre = serializers.IntegerField(source="offer_id", help_text="Numéro de l'offre")

    class Meta:
        model = Session
        fields = ["id", "offre", "debut", "fin", "a_distance", "commune", "places", "places_restantes"]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"code_insee": {"type": "string"}, "nom": {"type": "string"}, "departement": {"type": "string"}},
        }
    )
    def get_commune(self, session):
        if session.commune_id is None:
            return None
        commune = session.commune
        return {"code_insee": commune.insee_code, "nom": commune.name, "departement": commune.departement_id}


class SessionWithOfferSerializer(SessionSerializer):
    intitule = serializers.CharField(source="offer.title", help_text="Intitulé de l'offre")
    organisme = serializers.CharField(source="offer.organisation.name", help_text="Organisme de formation")
    distance_km = serializers.SerializerMethodField(help_text="Distance à la commune de référence (recherche « autour »)")

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "intitule", "organisme", "distance_km"]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, session):
        filters = self.context.get("filters")
        distance = filters.distance_km(session) if filters else None
        return None if distance is None else round(distance, 1)


class OfferSerializer(serializers.ModelSerializer):
    intitule = serializers.CharField(source="title", help_text="Intitulé")
    organisme = serializers.SerializerMethodField(help_text="Organisme de formation")
    themes = serializers.SerializerMethodField(help_text="Thèmes du plan de formation (numéro et libellé)")
    publics = serializers.SerializerMethodField(help_text="Publics visés")
    objectifs = serializers.CharField(source="objectives", help_text="Objectifs")
    programme = serializers.CharField(help_text="Programme (texte brut)")
    duree_heures = serializers.DecimalField(source="duration_hours", max_digits=6, decimal_places=2, help_text="Durée en heures")
    modalite = serializers.CharField(source="format", help_text="presentiel, distanciel ou mixte")
    prix_centimes = serializers.IntegerField(source="price_cents", help_text="Prix par participant, en centimes d'euro")
    financements = serializers.SerializerMethodField(help_text="Voies de financement")
    precisions_financement = serializers.CharField(source="funding_details", help_text="Précisions sur le financement")
    prerequis = serializers.CharField(source="prerequisites", help_text="Prérequis")
    accessibilite = serializers.CharField(
        source="accessibility", help_text="Accessibilité aux personnes en situation de handicap"
    )
    lien_inscription = serializers.CharField(source="registration_url", help_text="Lien d'inscription (http ou https)")
    courriel_contact = serializers.EmailField(source="contact_email", help_text="Courriel de contact")
    sessions = SessionSerializer(many=True, read_only=True, help_text="Sessions, par date")

    class Meta:
        model = Offer
        fields = [
            "id",
            "intitule",
            "organisme",
            "themes",
            "publics",
            "objectifs",
            "programme",
            "duree_heures",
            "modalite",
            "prix_centimes",
            "financements",
            "precisions_financement",
            "prerequis",
            "accessibilite",
            "lien_inscription",
            "courriel_contact",
            "sessions",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "nom": {"type": "string"},
                "siret": {"type": "string"},
                "numero_declaration_activite": {"type": "string"},
                "qualiopi": {"type": "boolean"},
            },
        }
    )
    def get_organisme(self, offer):
        organisation = offer.organisation
        return {
            "nom": organisation.name,
            "siret": organisation.siret,
            "numero_declaration_activite": organisation.activity_number,
            "qualiopi": organisation.qualiopi,
        }

    @extend_schema_field(
        {
            "type": "array",
            "items": {"type": "object", "properties": {"numero": {"type": "integer"}, "libelle": {"type": "string"}}},
        }
    )
    def get_themes(self, offer):
        return [{"numero": theme.number, "libelle": theme.label} for theme in offer.themes.all()]

    @extend_schema_field(LabelledValueSerializer(many=True))
    def get_publics(self, offer):
        return [
            {"code": value, "libelle": label} for value, label in zip(offer.audience_values, offer.audience_labels(), strict=True)
        ]

    @extend_schema_field(LabelledValueSerializer(many=True))
    def get_financements(self, offer):
        return [
            {"code": value, "libelle": label} for value, label in zip(offer.funding_values, offer.funding_labels(), strict=True)
        ]
