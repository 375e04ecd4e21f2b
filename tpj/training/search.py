"""The public search of training sessions, shared by the page and the API.

Every filter state is a query string (permalink): `theme` (number), `public`, `modalite`,
`financement`, `du`, `au` (dates), `region`, `departement`, `autour` (commune: name,
postal code or INSEE code) + `km`, `a_distance` (remote sessions too), `q` (free text,
accent-insensitive) and `tri` (`date` or `distance`).
"""

import datetime
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import ExpressionWrapper, F, FloatField, Q
from django.utils import timezone

from tpj.core.text import clean, normalize
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Commune, Departement, Region, haversine_km

from .models import Audience, Format, FundingRoute, OfferState, Session

MAX_RADIUS_KM = 200
DEFAULT_RADIUS_KM = 30
KM_PER_DEGREE = 111.32
MAX_WORDS = 10
SORTS = {"date": "par date", "distance": "par distance"}


@dataclass
class SessionFilter:
    themes: list[TrainingTheme] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    funding_routes: list[str] = field(default_factory=list)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    region: Region | None = None
    departement: Departement | None = None
    near: Commune | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    include_remote: bool = False
    text: str = ""
    sort: str = "date"

    @classmethod
    def from_query(cls, params) -> "SessionFilter":
        """Parse a QueryDict; raise ValidationError {param: French message} on bad values."""
        errors, result = {}, cls()
        themes = {str(t.number): t for t in TrainingTheme.objects.all()}
        for raw in params.getlist("theme"):
            if raw.strip():
                if raw.strip() not in themes:
                    errors["theme"] = f"Thème inconnu : « {raw[:20]} » (numéros de 1 à {len(themes)})."
                else:
                    result.themes.append(themes[raw.strip()])
        for param, attr, choices, label in (
            ("public", "audiences", Audience, "Public inconnu"),
            ("modalite", "formats", Format, "Modalité inconnue"),  # not `format`: the API's response format
            ("financement", "funding_routes", FundingRoute, "Voie de financement inconnue"),
        ):
            for raw in params.getlist(param):
                if raw.strip():
                    if raw.strip() not in choices.values:
                        errors[param] = f"{label} : « {raw[:30]} »."
                    else:
                        getattr(result, attr).append(raw.strip())
        for param, attr in (("du", "date_from"), ("au", "date_to")):
            raw = (params.get(param) or "").strip()
            if raw:
                try:
                    setattr(result, attr, datetime.date.fromisoformat(raw))
                except ValueError:
                    errors[param] = f"Date invalide : « {raw[:20]} » (attendu : AAAA-MM-JJ)."
        if result.date_from and result.date_to and result.date_to < result.date_from:
            errors["au"] = "La date de fin de recherche précède la date de début."
        for param, attr, model, message in (
            ("region", "region", Region, "Région inconnue"),
            ("departement", "departement", Departement, "Département inconnu"),
        ):
            raw = clean(params.get(param) or "", multiline=False).strip()
            if raw:
                obj = model.objects.filter(code=raw[:3]).first()  # no control character: PostgreSQL refuses NUL
                if obj is None:
                    errors[param] = f"{message} : « {raw[:20]} »."
                setattr(result, attr, obj)
        commune, message = Commune.objects.resolve(params.get("autour") or "")
        if message:
            errors["autour"] = message
        result.near = commune
        km = (params.get("km") or "").strip()
        if km:
            try:
                result.radius_km = float(km.replace(",", "."))
                if not 0 < result.radius_km <= MAX_RADIUS_KM:
                    raise ValueError
            except ValueError:
                errors["km"] = f"Le rayon doit être un nombre de kilomètres entre 1 et {MAX_RADIUS_KM}."
        result.include_remote = params.get("a_distance") == "1"
        result.text = (params.get("q") or "").replace("\x00", "").strip()[:200]
        sort = params.get("tri") or ("distance" if result.near else "date")
        if sort not in SORTS:
            errors["tri"] = "Tri inconnu : « date » ou « distance »."
        elif sort == "distance" and not result.near:
            errors["tri"] = "Pour trier par distance, indiquez une commune de référence."
        result.sort = sort
        if errors:
            raise ValidationError(errors)
        return result

    @property
    def territorial(self) -> bool:
        return bool(self.region or self.departement or self.near)

    def sessions(self):
        """The sessions of published offers matching this filter state, in its order; each
        annotated `distance2` (squared degrees) when searching around a commune."""
        today = timezone.localdate()
        queryset = Session.objects.filter(offer__state=OfferState.PUBLISHED).select_related(
            "offer__organisation", "commune__departement"
        )
        # Without dates, the sessions not yet over; with a start date, from that date (past ones included).
        queryset = queryset.filter(end_date__gte=self.date_from or today)
        if self.date_to:
            queryset = queryset.filter(start_date__lte=self.date_to)
        for theme in self.themes:  # all the chosen themes
            queryset = queryset.filter(offer__themes=theme)
        if self.audiences:
            queryset = queryset.filter(offer__audiences__audience__in=self.audiences)
        if self.formats:
            queryset = queryset.filter(offer__format__in=self.formats)
        if self.funding_routes:
            queryset = queryset.filter(offer__funding_routes__route__in=self.funding_routes)
        for word in normalize(self.text).split()[:MAX_WORDS]:
            queryset = queryset.filter(offer__search_text__contains=word)
        place = Q()
        if self.region:
            place &= Q(commune__region=self.region)
        if self.departement:
            place &= Q(commune__departement=self.departement)
        if self.near:
            queryset = _annotate_distance(queryset, self.near)
            place &= _within(self.near, self.radius_km)
        if self.territorial:
            queryset = queryset.filter(place | Q(is_remote=True) if self.include_remote else place)
        if self.audiences or self.funding_routes:
            queryset = queryset.distinct()
        if self.sort == "distance":
            return queryset.order_by(F("distance2").asc(nulls_last=True), "start_date", "id")
        return queryset.order_by("start_date", "id")

    def distance_km(self, session) -> float | None:
        """The distance from the reference commune to the session's commune (None: remote, or no reference)."""
        if not (self.near and session.commune_id):
            return None
        commune = session.commune
        return haversine_km(self.near.latitude, self.near.longitude, commune.latitude, commune.longitude)


def _annotate_distance(queryset, commune: Commune):
    scale = math.cos(math.radians(commune.latitude))
    dlat = F("commune__latitude") - commune.latitude
    dlon = F("commune__longitude") - commune.longitude
    return queryset.annotate(distance2=ExpressionWrapper(dlat * dlat + dlon * dlon * (scale * scale), output_field=FloatField()))


def _within(commune: Commune, radius_km: float) -> Q:
    """Within `radius_km` of `commune`: a bounding box (indexable), then the equirectangular distance."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(commune.latitude)), 0.01))
    return Q(
        commune__latitude__range=(commune.latitude - dlat, commune.latitude + dlat),
        commune__longitude__range=(commune.longitude - dlon, commune.longitude + dlon),
        distance2__lte=dlat * dlat,
    )
