"""The catalogue as CSV (one row per session) and JSON (offers with their sessions)."""

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from tpj.core import exports as core_exports

from ..models import Audience, Format, FundingRoute
from .source import SEPARATOR, CatalogueOffer, _label, catalogue

CSV_COLUMNS = [
    "identifiant_offre",
    "intitule",
    "organisme",
    "siret",
    "numero_declaration_activite",
    "themes",
    "publics",
    "modalite",
    "duree_heures",
    "prix_euros",
    "voies_de_financement",
    "identifiant_session",
    "debut",
    "fin",
    "commune",
    "code_insee",
    "a_distance",
    "places",
    "places_restantes",
    "lien_inscription",
    "page",
]


def csv_rows(offers: Iterable[CatalogueOffer]) -> Iterator[list]:
    for offer in offers:
        common = [
            offer["pk"],
            offer["title"],
            offer["organisation__name"],
            offer["organisation__siret"],
            offer["organisation__activity_number"],
            SEPARATOR.join(label for _, label in offer.themes),
            SEPARATOR.join(_label(Audience, a) for a in offer.audiences),
            _label(Format, offer["format"]) if offer["format"] else "",
            offer["duration_hours"],
            offer.price_euros,
            SEPARATOR.join(_label(FundingRoute, r) for r in offer.funding_routes),
        ]
        page = offer.page
        for session in offer.sessions:
            yield [
                *common,
                session["pk"],
                session["start_date"].isoformat(),
                session["end_date"].isoformat(),
                session["commune__name"] or "",
                session["commune_id"] or "",
                "oui" if session["is_remote"] else "non",
                session["capacity"],
                session["seats_left"],
                offer["registration_url"],
                page,
            ]


def csv_chunks(today=None) -> Iterator[str]:
    return core_exports.csv_lines(CSV_COLUMNS, csv_rows(catalogue(today)), decimal_comma=True)


# -- JSON ------------------------------------------------------------------------------------


def _coded(choices, value) -> dict | None:
    return {"code": value, "libelle": _label(choices, value)} if value else None


def _number(value: Decimal | None):
    return None if value is None else float(value)


def json_offer(offer: CatalogueOffer) -> dict:
    return {
        "identifiant": offer["pk"],
        "intitule": offer["title"],
        "organisme": {
            "nom": offer["organisation__name"],
            "siret": offer["organisation__siret"],
            "numero_declaration_activite": offer["organisation__activity_number"],
            "commune": offer["organisation__commune__name"],
            "code_insee": offer["organisation__commune_id"],
        },
        "themes": [{"numero": number, "libelle": label} for number, label in offer.themes],
        "publics": [_coded(Audience, a) for a in offer.audiences],
        "modalite": _coded(Format, offer["format"]),
        "objectifs": offer["objectives"],
        "programme": offer["programme"],
        "prerequis": offer["prerequisites"],
        "accessibilite": offer["accessibility"],
        "duree_heures": _number(offer["duration_hours"]),
        "prix_euros": _number(offer.price_euros),
        "voies_de_financement": [_coded(FundingRoute, r) for r in offer.funding_routes],
        "precisions_financement": offer["funding_details"],
        "lien_inscription": offer["registration_url"] or None,
        "courriel_contact": offer["contact_email"] or None,
        "page": offer.page,
        "sessions": [
            {
                "identifiant": session["pk"],
                "debut": session["start_date"].isoformat(),
                "fin": session["end_date"].isoformat(),
                "a_distance": session["is_remote"],
                "commune": session["commune__name"],
                "code_insee": session["commune_id"],
                "places": session["capacity"],
                "places_restantes": session["seats_left"],
            }
            for session in offer.sessions
        ],
    }


def json_chunks(today=None) -> Iterator[str]:
    """A JSON array streamed offer by offer."""
    yield "["
    for index, offer in enumerate(catalogue(today)):
        yield ("," if index else "") + "\n" + json.dumps(json_offer(offer), ensure_ascii=False)
    yield "\n]\n"
