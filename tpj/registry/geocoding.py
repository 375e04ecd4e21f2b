"""Geocoding adapter: Base Adresse Nationale / Géoplateforme, or the commune centre.

`settings.GEOCODER` picks the adapter: "ban" asks `settings.GEOCODER_BAN_URL` (falling back
to the commune centre on any failure or on a result outside the commune), "offline" always
uses the commune centre. The precision of the point is returned with it and stored.
"""

import json
import logging
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from .models import GeocodingPrecision

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 4
_BAN_PRECISIONS = {
    "housenumber": GeocodingPrecision.HOUSENUMBER,
    "street": GeocodingPrecision.STREET,
    "locality": GeocodingPrecision.LOCALITY,
    "municipality": GeocodingPrecision.MUNICIPALITY,
}


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    precision: str


def commune_centre(commune) -> Point:
    return Point(commune.latitude, commune.longitude, GeocodingPrecision.MUNICIPALITY)


def parse_ban_response(payload: dict, commune) -> Point | None:
    """The best feature of a BAN/Géoplateforme GeoJSON answer lying in `commune`, if any."""
    for feature in payload.get("features") or []:
        props = feature.get("properties") or {}
        if props.get("citycode") != commune.insee_code:
            continue
        try:
            longitude, latitude = feature["geometry"]["coordinates"][:2]
        except (KeyError, TypeError, ValueError):
            continue
        return Point(float(latitude), float(longitude), _BAN_PRECISIONS.get(props.get("type"), GeocodingPrecision.STREET))
    return None


def fetch_ban(address: str, commune) -> dict:
    query = urllib.parse.urlencode({"q": f"{address} {commune.name}", "citycode": commune.insee_code, "limit": 1})
    with urllib.request.urlopen(f"{settings.GEOCODER_BAN_URL}?{query}", timeout=TIMEOUT_SECONDS) as response:
        return json.loads(response.read().decode("utf-8"))


def geocode(address: str, commune, fetch=None) -> Point:
    """Locate `address` in `commune`; never fails (commune centre as the fallback)."""
    if settings.GEOCODER == "ban" and (address or "").strip():
        try:
            point = parse_ban_response((fetch or fetch_ban)(address, commune), commune)
        except Exception:  # network, JSON, anything: the commune centre will do
            logger.warning("Géocodage BAN indisponible pour %s", commune.insee_code, exc_info=True)
            point = None
        if point:
            return point
    return commune_centre(commune)
