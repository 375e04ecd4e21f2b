"""Sirene adapter: the legal identity of a SIRET (name, address, legal form, activity).

`settings.SIRENE` picks the adapter, as `settings.GEOCODER` does for addresses: "api" asks the
public « Recherche d'entreprises » API (`API_URL`?q=<siret>, no key, `TIMEOUT_SECONDS`) and falls
back to the offline answers on any failure; "offline" (the default: tests, demo, no network)
answers from `data/sirene/answers.json`, in the API's own format, and knows only those SIRETs.
Either way `lookup()` never raises: it returns an identity or a French message.
"""

import json
import logging
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from stdnum.fr import siret as stdnum_siret

from .validators import validate_siret

logger = logging.getLogger(__name__)
API_URL = "https://recherche-entreprises.api.gouv.fr/search"
TIMEOUT_SECONDS = 4
ANSWERS = Path(__file__).parent / "data" / "sirene" / "answers.json"

# INSEE's legal categories (level III) that carriers of the 1000 premiers jours calls have.
LEGAL_FORMS = {
    "1000": "Entrepreneur individuel",
    "5499": "Société à responsabilité limitée",
    "5710": "Société par actions simplifiée",
    "7210": "Commune",
    "7220": "Département",
    "7344": "Métropole",
    "7346": "Communauté de communes",
    "7348": "Communauté d'agglomération",
    "7361": "Centre communal d'action sociale",
    "7364": "Établissement d'hospitalisation",
    "8210": "Mutuelle",
    "9210": "Association non déclarée",
    "9220": "Association déclarée",
    "9230": "Association déclarée, reconnue d'utilité publique",
    "9300": "Fondation",
}
# NAF rev. 2 activities of the same carriers.
ACTIVITIES = {
    "84.11Z": "Administration publique générale",
    "84.30A": "Activités générales de sécurité sociale",
    "85.59A": "Formation continue d'adultes",
    "85.59B": "Autres enseignements",
    "86.10Z": "Activités hospitalières",
    "86.90D": "Activités des infirmiers et des sages-femmes",
    "88.91A": "Accueil de jeunes enfants",
    "88.91B": "Accueil ou accompagnement sans hébergement d'enfants handicapés",
    "88.99A": "Autre accueil ou accompagnement sans hébergement d'enfants et d'adolescents",
    "88.99B": "Action sociale sans hébergement n.c.a.",
    "91.01Z": "Gestion des bibliothèques et des archives",
    "94.99Z": "Autres organisations fonctionnant par adhésion volontaire",
}


@dataclass(frozen=True)
class Identity:
    siret: str
    legal_name: str
    address: str
    legal_form: str
    activity: str
    closed: bool


@dataclass(frozen=True)
class Lookup:
    identity: Identity | None = None
    message: str = ""  # French: why there is no identity, or what to know about it
    # False when the register did not answer and the recorded answers were read instead: a
    # SIRET missing from them may still be known to the register.
    answered: bool = True


class OfflineSirene:
    """The recorded answers; any other SIRET is not found."""

    def search(self, siret: str) -> dict:
        return _answers().get(siret) or {"results": [], "total_results": 0}


class ApiSirene:
    """The public « Recherche d'entreprises » API."""

    def search(self, siret: str) -> dict:
        query = urllib.parse.urlencode({"q": siret})
        request = urllib.request.Request(f"{API_URL}?{query}", headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return json.loads(response.read().decode("utf-8"))


ADAPTERS = {"offline": OfflineSirene, "api": ApiSirene}


@cache
def _answers() -> dict:
    return json.loads(ANSWERS.read_text(encoding="utf-8"))["answers"]


def parse(payload: dict, siret: str) -> Identity | None:
    """The establishment `siret` in an API answer, if the answer has it."""
    for result in payload.get("results") or []:
        establishments = [*(result.get("matching_etablissements") or []), result.get("siege") or {}]
        establishment = next((e for e in establishments if e.get("siret") == siret), None)
        if establishment is None:
            continue
        naf = establishment.get("activite_principale") or result.get("activite_principale") or ""
        category = result.get("nature_juridique") or ""
        return Identity(
            siret=siret,
            legal_name=result.get("nom_raison_sociale") or result.get("nom_complet") or "",
            address=establishment.get("adresse") or "",
            legal_form=LEGAL_FORMS.get(category) or (f"Catégorie juridique {category}" if category else ""),
            activity=f"{naf} — {ACTIVITIES[naf]}" if naf in ACTIVITIES else (f"Code NAF {naf}" if naf else ""),
            closed=establishment.get("etat_administratif") == "F",
        )
    return None


def lookup(siret: str, adapter=None) -> Lookup:
    """The legal identity of `siret` in the Sirene register, or a French message saying why not."""
    try:
        validate_siret(siret)
    except ValidationError as e:
        return Lookup(message=e.messages[0])
    siret = stdnum_siret.compact(siret)
    adapter = adapter or ADAPTERS.get(settings.SIRENE, OfflineSirene)()
    note, answered = "", True
    try:
        payload = adapter.search(siret)
    except Exception:  # network, timeout, JSON, anything: the recorded answers will do
        logger.warning("Répertoire Sirene injoignable pour %s", siret, exc_info=True)
        payload = OfflineSirene().search(siret)
        note, answered = " Le répertoire Sirene ne répond pas : réessayez plus tard.", False
    identity = parse(payload, siret)
    if identity is None:
        return Lookup(
            message=f"Aucun établissement de SIRET {siret} n'est connu du répertoire Sirene. Vérifiez les 14 chiffres.{note}",
            answered=answered,
        )
    closed = " Cet établissement est fermé selon le répertoire Sirene : vérifiez le SIRET." if identity.closed else ""
    return Lookup(identity, (closed + note).strip(), answered)
