"""The catalogue of public exports (open data page and its JSON version).

Each dataset names its stable URL (a URL name of the module that produces it), its
format, its schema and how to compute its last update from live data.
"""

from dataclasses import dataclass, field

from django.db.models import Max

from tpj.calls.exports import SCDL_FIELDS
from tpj.core.urls_absolute import absolute_reverse
from tpj.registry.exports import CSV_COLUMNS
from tpj.registry.models import Entry
from tpj.training.exports.tabular import CSV_COLUMNS as TRAINING_CSV_COLUMNS
from tpj.training.models import Offer

from .exports import ALLOCATION_HEADER, DEPLOYMENTS_HEADER, MEASURES_HEADER
from .models import Apportionment, Deployment
from .project_columns import PROJECTS_HEADER
from .projects import public_laureates

LICENCE = {
    "name": "Licence Ouverte / Open Licence version 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    producer: str
    format: str
    url_name: str
    url_kwargs: dict = field(default_factory=dict)
    # (column, description) pairs; a schema published elsewhere is linked by schema_url.
    columns: tuple = ()
    schema_url: str = ""
    note: str = ""  # what a reuser must know beyond the description (a standard's version, its scope)
    updated: str = ""  # name of the function in UPDATED computing the last update

    def url(self) -> str:
        return absolute_reverse(self.url_name, kwargs=self.url_kwargs)

    def last_update(self):
        return UPDATED[self.updated]() if self.updated else None


def _registry_updated():
    return Entry.objects.published().aggregate(last=Max("verified_at"))["last"]


def _laureates_updated():
    return public_laureates().aggregate(last=Max("call__transmitted_at"))["last"]


def _measures_updated():
    return Deployment.objects.aggregate(last=Max("created_at"))["last"]


def _apportionment_updated():
    return Apportionment.objects.aggregate(last=Max("created_at"))["last"]


def _training_updated():
    return Offer.objects.published().aggregate(last=Max("published_at"))["last"]


UPDATED = {
    "training": _training_updated,
    "registry": _registry_updated,
    "laureates": _laureates_updated,
    "measures": _measures_updated,
    "apportionment": _apportionment_updated,
}


def _undocumented(columns) -> tuple:
    """(column, "") pairs: their description then comes from COLUMN_DOCS."""
    return tuple((column, "") for column in columns)


# What each column means (shown on the open data page next to the column name).
COLUMN_DOCS = {
    # registry CSV
    "id": "identifiant stable",
    "nom": "nom de la structure ou du professionnel",
    "type": "professionnel indépendant ou établissement / service",
    "categorie": "catégorie de professionnel",
    "adresse": "adresse postale",
    "code_postal": "code postal",
    "commune": "commune",
    "code_insee": "code INSEE de la commune (COG)",
    "departement": "code du département",
    "region": "code de la région",
    "latitude": "latitude WGS 84",
    "longitude": "longitude WGS 84",
    "precision_localisation": "précision du géocodage",
    "priorites": "numéros des priorités déclarées, séparés par |",
    "site": "site internet",
    "courriel": "courriel publié avec consentement",
    "telephone": "téléphone publié avec consentement",
    "verifiee_le": "date de vérification",
    "page": "page publique",
    # projects CSV
    "projet": "intitulé du projet",
    "structure porteuse": "structure qui porte le projet",
    "type de porteur": "nature juridique du porteur",
    "partenaires": "partenaires, séparés par |",
    "région": "région de l'appel à projets",
    "départements": "codes des départements des lieux d'action",
    "lieux d'action (codes INSEE)": "communes où le projet agit (codes INSEE)",
    "lieux d'action": "noms de ces communes",
    "axes": "axes nationaux des appels à projets",
    "année": "année de la campagne",
    "financements": "source : montant, pour chaque financement",
    "montant total (€)": "somme des financements (€)",
    "indicateurs": "indicateurs d'impact et leur cible",
    "coup de cœur": "projet mis en avant par sa région (oui/non)",
    # measures, deployments, apportionment
    "numéro": "ordre de la mesure dans l'instruction",
    "mesure": "intitulé de la mesure",
    "cible nationale": "cible fixée par l'instruction",
    "mode de suivi": "ce qui est compté",
    "réalisé": "valeur atteinte",
    "cible chiffrée": "cible comparée au réalisé",
    "avancement (%)": "réalisé / cible, plafonné à 100",
    "déploiements enregistrés": "nombre de déploiements",
    "source": "texte de référence",
    "région (code)": "code INSEE de la région",
    "département": "code du département",
    "commune (code INSEE)": "code INSEE de la commune",
    "quoi": "ce qui est déployé",
    "structure": "structure concernée",
    "date": "date (AAAA-MM-JJ)",
    "contribution à la cible": "unités comptées dans la cible",
    "montant (€)": "montant en euros, 2 décimales",
    "précisions": "commentaire",
    "naissances": "naissances (parturientes) de l'année de référence",
    "quota exact": "postes × naissances de la région / naissances totales",
    "partie entière": "partie entière du quota",
    "rang du reste": "rang de la partie décimale (1 = reçoit un poste restant en premier)",
    "postes attribués": "postes entiers attribués à la région",
    # SCDL subventions
    "nomAttribuant": "agence qui attribue (ARS ou DREETS)",
    "idAttribuant": "SIRET de l'agence",
    "dateConvention": "date de la convention ou décision",
    "referenceDecision": "référence de la candidature",
    "nomBeneficiaire": "structure porteuse",
    "idBeneficiaire": "SIRET du porteur",
    "objet": "intitulé du projet",
    "montant": "montant attribué sur cette enveloppe (€)",
    "dispositifAide": "appel à projets et crédits",
    # training catalogue CSV (one row per session to come of a published offer)
    "identifiant_offre": "identifiant stable de l'offre",
    "intitule": "intitulé de la formation",
    "organisme": "organisme de formation",
    "siret": "SIRET de l'organisme",
    "numero_declaration_activite": "numéro de déclaration d'activité de l'organisme (11 chiffres)",
    "themes": "thèmes du plan de formation, séparés par |",
    "publics": "publics visés, séparés par |",
    "modalite": "présentiel, distanciel ou mixte",
    "duree_heures": "durée en heures",
    "prix_euros": "prix par participant en euros (virgule décimale)",
    "voies_de_financement": "voies de financement, séparées par |",
    "identifiant_session": "identifiant stable de la session",
    "debut": "premier jour de la session (AAAA-MM-JJ)",
    "fin": "dernier jour de la session (AAAA-MM-JJ)",
    "a_distance": "session à distance (oui/non)",
    "places": "nombre de places",
    "places_restantes": "places encore disponibles",
    "lien_inscription": "lien d'inscription de l'organisme",
}


def documented(columns) -> list[tuple[str, str]]:
    """Each (column, description) pair, the description completed from COLUMN_DOCS."""
    return [(name, doc or COLUMN_DOCS.get(name, "")) for name, doc in columns]


REGISTRY = "Annuaire des 1000 premiers jours (Module 1)"
CALLS = "Appels à projets régionaux (Module 2)"
VALORISATION = "Valorisation & pilotage national (Module 3)"
TRAINING = "Offre de formation Enfance=Égalité (Module 4)"
TRAINING_SCOPE = "Toutes les offres de formation publiées et leurs sessions à venir."
LHEO_NOTE = (
    "LHEO 2.3 (Langage Harmonisé d'Échange d'informations sur l'Offre de formation), le format d'échange du "
    "réseau des Carif-Oref : le fichier est valide selon le schéma XSD de LHEO 2.3 (espace de noms "
    "http://lheo.gouv.fr/2.3). Une offre y est une formation, chacun de ses lieux une action, chaque date une "
    "session ; les thèmes du plan de formation sont dans les extras. Sans offre publiée, le fichier est un "
    "document LHEO vide (élément lheo-plus)."
)


def datasets() -> list[Dataset]:
    """Every public export, in the order of the open data page."""
    registry_columns = _undocumented(CSV_COLUMNS)
    return [
        Dataset(
            "annuaire-csv",
            "Fiches vérifiées de l'annuaire (CSV)",
            "Professionnels et services des 1000 premiers jours vérifiés, avec les seuls contacts dont la publication a été consentie.",
            REGISTRY,
            "CSV",
            "registry:export",
            {"fmt": "csv"},
            registry_columns,
            updated="registry",
        ),
        Dataset(
            "annuaire-geojson",
            "Carte des 1000 premiers jours en action (GeoJSON)",
            "Les mêmes fiches vérifiées, en points géolocalisés (WGS 84).",
            REGISTRY,
            "GeoJSON",
            "registry:export",
            {"fmt": "geojson"},
            registry_columns,
            updated="registry",
        ),
        Dataset(
            "annuaire-data-inclusion-structures",
            "Annuaire au format data·inclusion : structures",
            "Les structures de l'annuaire selon le schéma data·inclusion.",
            REGISTRY,
            "JSON",
            "registry:export",
            {"fmt": "data-inclusion-structures"},
            schema_url="https://schema.data.gouv.fr/gip-inclusion/data-inclusion-schema/",
            updated="registry",
        ),
        Dataset(
            "annuaire-data-inclusion-services",
            "Annuaire au format data·inclusion : services",
            "Les services (une ligne par priorité déclarée) selon le schéma data·inclusion.",
            REGISTRY,
            "JSON",
            "registry:export",
            {"fmt": "data-inclusion-services"},
            schema_url="https://schema.data.gouv.fr/gip-inclusion/data-inclusion-schema/",
            updated="registry",
        ),
        Dataset(
            "projets-laureats-csv",
            "Projets lauréats des appels à projets (CSV)",
            "Les projets lauréats dont la liste a été transmise à l'équipe nationale : porteur, partenaires, lieux, axes, "
            "financements, indicateurs. Accepte les filtres de la projetothèque.",
            VALORISATION,
            "CSV",
            "valorisation:projects-csv",
            columns=_undocumented(PROJECTS_HEADER),
            updated="laureates",
        ),
        Dataset(
            "projets-laureats-geojson",
            "Carte des projets lauréats (GeoJSON)",
            "Un point par projet, au centre de ses lieux d'action.",
            VALORISATION,
            "GeoJSON",
            "valorisation:projects-geojson",
            columns=(
                ("id", "identifiant du projet"),
                ("titre", "intitulé"),
                ("porteur", "structure porteuse"),
                ("region", "région de l'appel"),
                ("annee", "année de la campagne"),
                ("axes", "numéros des axes"),
                ("coup_de_coeur", "coup de cœur de la région"),
                ("page", "page du projet"),
            ),
            updated="laureates",
        ),
        Dataset(
            "subventions-scdl",
            "Subventions attribuées aux lauréats (SCDL « subventions »)",
            "Une ligne par enveloppe (ARS ou DREETS) effectivement attribuée à un projet lauréat transmis, toutes régions.",
            CALLS,
            "CSV",
            "valorisation:opendata-scdl",
            columns=_undocumented(SCDL_FIELDS),
            schema_url="https://schema.data.gouv.fr/scdl/subventions/",
            updated="laureates",
        ),
        Dataset(
            "mesures-nationales",
            "Mesures nationales et avancement (CSV)",
            "Les mesures déployées par les ARS, leur cible nationale et l'avancement calculé à partir des déploiements.",
            VALORISATION,
            "CSV",
            "valorisation:measures-csv",
            columns=_undocumented(MEASURES_HEADER),
            updated="measures",
        ),
        Dataset(
            "deploiements",
            "Déploiements des mesures nationales par région (CSV)",
            "Chaque déploiement enregistré : quoi, où, quand, combien.",
            VALORISATION,
            "CSV",
            "valorisation:deployments-all-csv",
            columns=_undocumented(DEPLOYMENTS_HEADER),
            updated="measures",
        ),
        Dataset(
            "repartition-postes",
            "Répartition des postes des staffs médico-psycho-sociaux (CSV, dernière répartition)",
            "Postes attribués à chaque région au prorata des naissances, méthode des plus forts restes.",
            VALORISATION,
            "CSV",
            "valorisation:opendata-apportionment",
            columns=_undocumented(ALLOCATION_HEADER),
            updated="apportionment",
        ),
        Dataset(
            "formations-csv",
            "Catalogue des formations petite enfance (CSV)",
            f"{TRAINING_SCOPE} Une ligne par session.",
            TRAINING,
            "CSV",
            "training:export",
            {"fmt": "csv"},
            columns=_undocumented(TRAINING_CSV_COLUMNS),
            updated="training",
        ),
        Dataset(
            "formations-json",
            "Catalogue des formations petite enfance (JSON)",
            f"{TRAINING_SCOPE} Les offres, chacune avec ses sessions ; les codes à côté de leurs libellés.",
            TRAINING,
            "JSON",
            "training:export",
            {"fmt": "json"},
            updated="training",
        ),
        Dataset(
            "formations-lheo",
            "Catalogue des formations petite enfance (LHEO 2.3, XML)",
            f"{TRAINING_SCOPE} Au format d'échange des Carif-Oref.",
            TRAINING,
            "XML (LHEO 2.3)",
            "training:export",
            {"fmt": "xml"},
            schema_url="https://lheo.gouv.fr/",
            note=LHEO_NOTE,
            updated="training",
        ),
    ]
