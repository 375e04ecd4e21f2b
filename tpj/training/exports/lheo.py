"""The catalogue in LHEO 2.3 (XML), valid against tpj/training/lheo/lheo-2.3.xsd."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain

from django.utils import timezone

from ..models import Audience, Format, FundingRoute
from .source import LHEO_NAMESPACE, CatalogueOffer, _first_postal_code, _label, catalogue

# XML 1.0 refuses most control characters: a text pasted with one must not break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# dict-modalites-enseignement: 0 entirely in person, 1 blended, 2 entirely remote.
_TEACHING = {Format.IN_PERSON: "0", Format.BLENDED: "1", Format.REMOTE: "2"}
# dict-financeurs: both strands of the plan are the State's; 16 OPCO, 5 company, 0 other.
_FUNDERS = {
    FundingRoute.NATIONAL: "13",
    FundingRoute.TERRITORIAL: "13",
    FundingRoute.OPCO: "16",
    FundingRoute.EMPLOYER: "5",
    FundingRoute.OTHER: "0",
}
# FORMACODE V10 « public en emploi » (dict-public-vise-formacode-V10): the plan trains working
# professionals; the exact audiences go in info-public-vise.
_PUBLIC_IN_EMPLOYMENT = "82058"
NOT_PROVIDED = "Non renseigné"


def _clip(text: str, limit: int) -> str:
    text = _NOT_XML.sub("", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sub(parent, tag: str, text=None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = str(text)
    return element


def lheo_date(value) -> str:
    """A date as LHEO writes it: AAAAMMJJ."""
    return value.strftime("%Y%m%d")


def _address(parent, *, name, insee, postal_codes, latitude=None, longitude=None, denomination=None):
    """An LHEO `adresse` of a commune (the platform knows no street: the line is the commune)."""
    address = _sub(parent, "adresse")
    if denomination:
        _sub(address, "denomination", _clip(denomination, 255))
    _sub(address, "ligne", _clip(name, 50))
    _sub(address, "codepostal", _first_postal_code(postal_codes) or "00000")
    _sub(address, "ville", _clip(name, 50))
    _sub(address, "code-INSEE-commune", insee)
    if latitude is not None and longitude is not None:
        place = _sub(address, "geolocalisation")
        _sub(place, "latitude", f"{latitude:.6f}")
        _sub(place, "longitude", f"{longitude:.6f}")
    return address


def _coordinates(parent, *, email="", web=""):
    coordinates = _sub(parent, "coordonnees")
    if email and len(email) <= 160:
        _sub(coordinates, "courriel", email)
    if web and 3 <= len(web) <= 400:
        _sub(_sub(coordinates, "web"), "urlweb", web)
    return coordinates


def _organisation_address(parent, offer: CatalogueOffer, denomination=None):
    return _address(
        parent,
        name=offer["organisation__commune__name"],
        insee=offer["organisation__commune_id"],
        postal_codes=offer["organisation__commune__postal_codes"],
        denomination=denomination,
    )


def _extras(parent, info: str, values: Iterable[tuple[str, object]]):
    values = [(key, value) for key, value in values if value not in (None, "")]
    if values:
        extras = _sub(parent, "extras", info=info)
        for key, value in values:
            _sub(extras, "extra", _clip(str(value), 3000), info=key)


def _session(action, offer: CatalogueOffer, session: dict):
    element = _sub(action, "session", numero=str(session["pk"]))
    period = _sub(element, "periode")
    _sub(period, "debut", lheo_date(session["start_date"]))
    _sub(period, "fin", lheo_date(session["end_date"]))
    # Registration is with the organisation (its head office) or through its link.
    _organisation_address(_sub(element, "adresse-inscription"), offer, denomination=offer["organisation__name"])
    _sub(element, "etat-recrutement", "1" if session["seats_left"] else "2")  # 1 open, 2 closed
    if 3 <= len(offer["registration_url"]) <= 400:
        _sub(_sub(element, "url-session"), "urlweb", offer["registration_url"])
    _extras(element, "session", [("nombre-places", session["capacity"]), ("places-restantes", session["seats_left"])])


def _action(formation, offer: CatalogueOffer, place: dict | None, sessions: list):
    """One LHEO action per place of the offer (a commune, or remote), with its sessions there."""
    action = _sub(formation, "action")
    _sub(action, "rythme-formation", NOT_PROVIDED)
    _sub(action, "code-public-vise", _PUBLIC_IN_EMPLOYMENT, ref="V10")
    if offer.audiences:
        _sub(action, "info-public-vise", _clip(", ".join(_label(Audience, a) for a in offer.audiences), 250))
    _sub(action, "niveau-entree-obligatoire", "0")
    _sub(action, "modalites-alternance", "Sans objet")
    default_teaching = "2" if place is None else "0"
    _sub(action, "modalites-enseignement", _TEACHING.get(offer["format"], default_teaching))
    _sub(action, "conditions-specifiques", _clip(offer["prerequisites"], 3000) or "Aucune")
    _sub(action, "prise-en-charge-frais-possible", "1" if offer.funding_routes else "0")
    if place is not None:
        where = _sub(action, "lieu-de-formation")
        _address(
            _sub(where, "coordonnees"),
            name=place["commune__name"],
            insee=place["commune_id"],
            postal_codes=place["commune__postal_codes"],
            latitude=place["commune__latitude"],
            longitude=place["commune__longitude"],
        )
    _sub(action, "modalites-entrees-sorties", "0")  # fixed dates
    for session in sessions:
        _session(action, offer, session)
    if offer["accessibility"].strip():
        _sub(action, "acces-handicapes", _clip(offer["accessibility"], 250))
    price = offer.price_euros
    if price is not None and len(str(price)) <= 10:
        _sub(action, "prix-total-TTC", str(price))
    hours = offer["duration_hours"]
    if hours is not None:
        _sub(action, "duree-indicative", f"{hours.normalize():f} heures".replace(".", ","))
        _sub(action, "nombre-heures-total", str(hours.quantize(Decimal("1"), rounding=ROUND_HALF_UP)))
    funding = [_label(FundingRoute, r) for r in offer.funding_routes]
    if offer["funding_details"].strip():
        funding.append(offer["funding_details"])
    if funding:
        _sub(action, "detail-conditions-prise-en-charge", _clip(" ; ".join(funding), 600))
    for code in dict.fromkeys(_FUNDERS.get(route, "0") for route in offer.funding_routes):
        _sub(_sub(action, "organisme-financeur"), "code-financeur", code)


def lheo_formation(offer: CatalogueOffer) -> ET.Element:
    """The LHEO `formation` of an offer (unqualified names: the document's default namespace)."""
    formation = ET.Element("formation", numero=str(offer["pk"]))
    _sub(formation, "domaine-formation")  # no FORMACODE, NSF or ROME code known: the themes are in extras
    _sub(formation, "intitule-formation", _clip(offer["title"], 255))
    objectives = _clip(offer["objectives"], 3000) or _clip(offer["title"], 3000)
    _sub(formation, "objectif-formation", objectives)
    _sub(formation, "resultats-attendus", objectives)
    _sub(formation, "contenu-formation", _clip(offer["programme"], 3000) or objectives)
    _sub(formation, "certifiante", "0")
    _coordinates(_sub(formation, "contact-formation"), email=offer["contact_email"], web=offer["registration_url"])
    _sub(formation, "parcours-de-formation", "1")  # in a group
    _sub(formation, "code-niveau-entree", "0")  # not given
    _sub(_sub(formation, "url-formation"), "urlweb", offer.page)
    places: dict = {}
    for session in offer.sessions:
        places.setdefault(session["commune_id"], []).append(session)
    for sessions in places.values():
        first = sessions[0]
        _action(formation, offer, None if first["is_remote"] else first, sessions)
    responsible = _sub(formation, "organisme-formation-responsable")
    _sub(responsible, "numero-activite", offer["organisation__activity_number"])
    _sub(_sub(responsible, "SIRET-organisme-formation"), "SIRET", offer["organisation__siret"])
    _sub(responsible, "nom-organisme", _clip(offer["organisation__name"], 250))
    _sub(responsible, "raison-sociale", _clip(offer["organisation__name"], 250))
    _organisation_address(_sub(_sub(responsible, "coordonnees-organisme"), "coordonnees"), offer)
    _coordinates(_sub(responsible, "contact-organisme"), email=offer["contact_email"])
    _extras(formation, "formation", [("theme", label) for _, label in offer.themes])
    return formation


def lheo_chunks(today=None) -> Iterator[str]:
    """The LHEO document, streamed formation by formation.

    LHEO has no empty catalogue: `offres` needs at least one `formation`, and `lheo` needs its
    `offres`. With no published offer, the document is the schema's minimal valid one, an empty
    `lheo-plus` (LHEO's extension whose `lheo` is optional: [0, 1])."""
    now = timezone.now().replace(microsecond=0).isoformat()
    offers = iter(catalogue(today))
    first = next(offers, None)
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    if first is None:
        yield f'{declaration}<lheo-plus xmlns="{LHEO_NAMESPACE}" horodatage-export="{now}"/>\n'
        return
    yield f'{declaration}<lheo xmlns="{LHEO_NAMESPACE}">\n<offres horodatage-export="{now}">\n'
    for offer in chain([first], offers):
        yield ET.tostring(lheo_formation(offer), encoding="unicode") + "\n"
    yield "</offres>\n</lheo>\n"


# -- Downloads -------------------------------------------------------------------------------
