from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from tpj.core.openapi import PUBLIC, document

from . import models, serializers

TAG = "Nomenclatures"


def _read_only(model, serializer, lookup, texts, queryset=None):
    """A public read-only viewset over one nomenclature (reference data, open to everyone).

    `texts`: (list summary, list description, item summary, item description, lookup description), in French.
    """
    list_summary, list_description, item_summary, item_description, lookup_description = texts
    viewset = type(
        f"{model.__name__}ViewSet",
        (viewsets.ReadOnlyModelViewSet,),
        {
            "queryset": queryset if queryset is not None else model.objects.all(),
            "serializer_class": serializer,
            "lookup_field": lookup,
            "permission_classes": [AllowAny],
            "path_parameters": {lookup: lookup_description},
        },
    )
    documented = extend_schema_view(
        list=document(list_summary, list_description, access=PUBLIC),
        retrieve=document(item_summary, item_description, access=PUBLIC),
    )(viewset)
    return extend_schema(tags=[TAG])(documented)


PriorityViewSet = _read_only(
    models.Priority,
    serializers.PrioritySerializer,
    "number",
    (
        "Lister les priorités",
        "Les 10 priorités de la politique des 1000 premiers jours, avec leur intitulé court et leur description.",
        "Lire une priorité",
        "Une priorité, par son numéro : intitulé, intitulé court et description.",
        "Numéro de la priorité (1 à 10).",
    ),
)
AxisViewSet = _read_only(
    models.Axis,
    serializers.AxisSerializer,
    "number",
    (
        "Lister les axes nationaux",
        "Les axes nationaux auxquels se rattachent les axes des appels à projets régionaux.",
        "Lire un axe national",
        "Un axe national, par son numéro.",
        "Numéro de l'axe national.",
    ),
)
EligibilitySituationViewSet = _read_only(
    models.EligibilitySituation,
    serializers.EligibilitySituationSerializer,
    "number",
    (
        "Lister les situations d'éligibilité",
        "Les situations (1 à 4) par lesquelles un acteur de l'annuaire montre la confiance d'un organisme public, "
        "avec des exemples.",
        "Lire une situation d'éligibilité",
        "Une situation d'éligibilité, par son numéro, avec ses exemples.",
        "Numéro de la situation (1 à 4).",
    ),
)
CategoryViewSet = _read_only(
    models.Category,
    serializers.CategorySerializer,
    "slug",
    (
        "Lister les catégories d'acteurs",
        "Les catégories actives des fiches de l'annuaire (crèche, PMI…), avec les priorités qu'elles suggèrent.",
        "Lire une catégorie d'acteurs",
        "Une catégorie active, par son code, avec les priorités qu'elle suggère.",
        "Code de la catégorie (ex. creche).",
    ),
    models.Category.objects.filter(is_active=True).prefetch_related("suggested_priorities"),
)
EntryKindViewSet = _read_only(
    models.EntryKind,
    serializers.EntryKindSerializer,
    "slug",
    (
        "Lister les types de fiche",
        "Les types de fiche de l'annuaire : professionnel indépendant ou établissement.",
        "Lire un type de fiche",
        "Un type de fiche, par son code.",
        "Code du type de fiche (independant ou etablissement).",
    ),
)
FundingSourceViewSet = _read_only(
    models.FundingSource,
    serializers.FundingSourceSerializer,
    "slug",
    (
        "Lister les sources de financement",
        "Les sources de financement des enveloppes des appels à projets, avec l'agence qui les porte.",
        "Lire une source de financement",
        "Une source de financement, par son code, avec l'agence qui la porte.",
        "Code de la source de financement.",
    ),
)
TrainingThemeViewSet = _read_only(
    models.TrainingTheme,
    serializers.TrainingThemeSerializer,
    "number",
    (
        "Lister les thèmes de formation",
        "Les thèmes de formation proposés aux professionnels des 1000 premiers jours.",
        "Lire un thème de formation",
        "Un thème de formation, par son numéro.",
        "Numéro du thème de formation.",
    ),
)
