"""What the registry's API modules share: their tag in the documentation and the directory filters."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

TAG = "Annuaire"

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
