"""The public search of training sessions, shared by the page and the API.

Every filter state is a query string (permalink): `theme` (number), `public`, `modalite`,
`financement`, `du`, `au` (dates), `region`, `departement`, `autour` (commune: name,
postal code or INSEE code) + `km`, `a_distance` (remote sessions too), `q` (free text,
accent-insensitive) and `tri` (`date` or `distance`).
"""

import datetime
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, FloatField, Max, Q
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Lookup
from django.utils import timezone

from tpj.core.text import clean, normalize
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Commune, Departement, Region, haversine_km

from .models import Audience, Format, FundingRoute, Offer, Session
from .models.offers import bits

MAX_RADIUS_KM = 200
DEFAULT_RADIUS_KM = 30
KM_PER_DEGREE = 111.32
MAX_WORDS = 10
SORTS = {"date": "par date", "distance": "par distance"}
# The search counts its sessions up to this many, then says « plus de 1 000 » (counting 70,000
# sessions on each request would cost more than the page itself); its pages go that far.
COUNT_CAP = 1000
# The map names the offers of its points (MAP_TITLES each at most) when the search has at most
# MAP_TITLED_SESSIONS sessions; beyond, a point gives its number of sessions (its list is a click away).
MAP_TITLES = 3
# Beyond this many sessions, the map groups them by département rather than by commune.
MAP_COMMUNE_SESSIONS = 2000
# Free text: up to this many matching offers, their sessions are read by offer (then sorted).
MAX_TEXT_OFFERS = 2000
# On SQLite, a page of the list reads its sessions by offer up to this many offers only: beyond,
# reading them in the list's order, each checked against the offers found (a list built once),
# fills a page sooner. Grouping every session (the map), reading by offer pays up to the above.
SQLITE_LISTED_TEXT_OFFERS = 1000
MAP_TITLED_SESSIONS = 500
# The trigram indexes of the offers' texts (migration 0004) find substrings of this many characters or more.
INDEXED_WORD_LENGTH = 3
SQLITE_TEXT_MATCH = "SELECT rowid FROM training_offer_fts WHERE training_offer_fts MATCH %s"


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
    def words(self) -> list[str]:
        """The free text's words, normalised (accents, case, punctuation), at most MAX_WORDS."""
        return normalize(self.text).split()[:MAX_WORDS]

    @property
    def territorial(self) -> bool:
        return bool(self.region or self.departement or self.near)

    def sessions(self, grouped: bool = False):
        """The sessions of published offers matching this filter state, in its order; each
        annotated `distance2` (squared degrees) when searching around a commune. `grouped`: the
        caller reads them all (the map), not a page in this order.

        The statement reads the session table alone, through its partial indexes
        (training_session_*): the offer's publication, themes, audiences and funding routes,
        the session's length and its commune's position and territory are copied onto each
        session, so nothing is joined to filter or order. Free text finds the offers through
        their texts' trigram index first (few matching offers, their sessions are then read by
        offer; more, the sessions are checked in date order)."""
        today = timezone.localdate()
        since = self.date_from or today
        # The offers and organisations of the page's sessions are read after it (prefetch): joined,
        # SQLite would start from the organisations and sort every session.
        queryset = (
            Session.objects.filter(published=True, end_date__gte=since)
            .select_related("commune__departement")
            .prefetch_related("offer__organisation")
        )
        # Without dates, the sessions not yet over; with a start date, from that date (past ones
        # included). Not over by `since`: started at most the longest session's length before it
        # (the bound that lets the date order's index start there).
        queryset = queryset.filter(start_date__gte=since - datetime.timedelta(days=longest_session_days()))
        if self.date_to:
            queryset = queryset.filter(start_date__lte=self.date_to)
        if self.themes:  # all the chosen themes
            wanted = bits((t.number for t in self.themes), offset=1)
            queryset = queryset.alias(_themes=F("theme_bits").bitand(wanted)).filter(_themes=wanted)
        if self.audiences:  # one of the chosen audiences
            wanted = bits(Audience.values.index(a) for a in self.audiences)
            queryset = queryset.alias(_audiences=F("audience_bits").bitand(wanted)).filter(_audiences__gt=0)
        if self.funding_routes:
            wanted = bits(FundingRoute.values.index(r) for r in self.funding_routes)
            queryset = queryset.alias(_funding=F("funding_bits").bitand(wanted)).filter(_funding__gt=0)
        if self.formats:
            queryset = queryset.filter(offer__in=Offer.objects.filter(format__in=self.formats).values("pk"))
        if self.words:
            queryset = self._text(queryset, grouped)
        place = Q()
        if self.region:
            place &= Q(region=self.region)
        if self.departement:
            place &= Q(departement=self.departement)
        if self.near:
            queryset = _annotate_distance(queryset, self.near)
            place &= _within(self.near, self.radius_km)
        if self.territorial:
            queryset = queryset.filter(place | Q(is_remote=True) if self.include_remote else place)
        if self.sort == "distance":
            return queryset.order_by(F("distance2").asc(nulls_last=True), "start_date", "id")
        return queryset.order_by("start_date", "id")

    def _text(self, queryset, grouped: bool):
        """Sessions of offers whose text has every word: the offers are found first, through the
        texts' trigram index. Few (MAX_TEXT_OFFERS at most; SQLITE_LISTED_TEXT_OFFERS for a page
        on SQLite), their sessions are read by offer; many, each session in date order is checked
        against them (the page stops early)."""
        offers = matching_offer_ids(self.words)
        if connection.vendor == "postgresql":
            # PostgreSQL estimates a list of offers (and reads their sessions by offer) where it
            # would scan the sessions to join a subquery; the list is one array parameter.
            ids = list(offers[: MAX_TEXT_OFFERS + 1])
            if len(ids) <= MAX_TEXT_OFFERS:
                return queryset.filter(AnyOf(F("offer_id"), ids))
        else:
            few = MAX_TEXT_OFFERS if grouped else SQLITE_LISTED_TEXT_OFFERS
            if count_up_to(offers, few + 1) <= few:
                return queryset.filter(offer_id__in=offers)
        # `offer_id + 0`: no index on it, so the sessions are read in the search's order (or
        # grouped for the map) and each is looked up in the offers found, a list built once.
        offer = ExpressionWrapper(F("offer_id") + 0, output_field=BigIntegerField())
        return queryset.alias(_offer=offer).filter(_offer__in=offers)

    def distance_km(self, session) -> float | None:
        """The distance from the reference commune to the session's commune (None: remote, or no reference)."""
        if not (self.near and session.commune_id):
            return None
        commune = session.commune
        return haversine_km(self.near.latitude, self.near.longitude, commune.latitude, commune.longitude)


def matching_offer_ids(words: list[str]):
    """The ids of the offers whose normalised text contains every one of `words` (normalised
    words), as a subquery (`offer_id__in=…`; sliced, a list).

    Words of INDEXED_WORD_LENGTH characters or more are looked up in the trigram index of the
    texts (migration 0004): on SQLite the FTS5 table `training_offer_fts` (its rowids are the
    subquery when every word is there), each word a quoted phrase (a substring for the trigram
    tokenizer; quoting keeps `"`, `*`, `OR`, `-`… plain text); on PostgreSQL the GIN trigram
    index serves `LIKE '%word%'` itself. Shorter words are checked on the offers' texts (a scan
    when the query has no longer word)."""
    offers = Offer.objects.order_by()
    if connection.vendor == "sqlite":
        indexed = [word for word in words if len(word) >= INDEXED_WORD_LENGTH]
        if indexed:
            found = RawSQL(SQLITE_TEXT_MATCH, [fts_phrases(indexed)])
            words = [word for word in words if len(word) < INDEXED_WORD_LENGTH]
            if not words:
                return found
            offers = offers.filter(pk__in=found)
    for word in words:
        offers = offers.filter(search_text__contains=word)
    return offers.values_list("pk", flat=True)


def count_up_to(ids, limit: int) -> int:
    """How many ids the subquery `ids` (matching_offer_ids) gives, counting no further than
    `limit`: the FTS table's rowids are counted there (SQLite would list them all first to
    join them to the offers)."""
    if isinstance(ids, RawSQL):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({ids.sql} LIMIT {int(limit)})", ids.params)
            return cursor.fetchone()[0]
    return ids[:limit].count()


def fts_phrases(words: list[str]) -> str:
    """An FTS5 query matching texts that hold every one of `words`: each a quoted string (its
    quotes doubled), so that no word is read as FTS5 syntax."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


class AnyOf(Lookup):
    """`column = ANY(%s)` (PostgreSQL): the values travel as one array parameter, where
    `column IN (%s, %s, …)` has one parameter per value for the driver to convert (for 2,000
    offers, more time than the statement takes in the database)."""

    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


def longest_session_days() -> int:
    """The length in days of the longest session of a published offer (its index's last entry)."""
    return Session.objects.filter(published=True).aggregate(longest=Max("length_days"))["longest"] or 0


def _annotate_distance(queryset, commune: Commune):
    scale = math.cos(math.radians(commune.latitude))
    dlat = F("latitude") - commune.latitude
    dlon = F("longitude") - commune.longitude
    return queryset.annotate(distance2=ExpressionWrapper(dlat * dlat + dlon * dlon * (scale * scale), output_field=FloatField()))


def _within(commune: Commune, radius_km: float) -> Q:
    """Within `radius_km` of `commune`: a bounding box (indexable), then the equirectangular distance."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(commune.latitude)), 0.01))
    return Q(
        latitude__range=(commune.latitude - dlat, commune.latitude + dlat),
        longitude__range=(commune.longitude - dlon, commune.longitude + dlon),
        distance2__lte=dlat * dlat,
    )


class CappedPaginator(Paginator):
    """A paginator whose count stops at COUNT_CAP (`capped`: there are more): the count is
    `SELECT COUNT(*) FROM (SELECT id … LIMIT COUNT_CAP + 1)`, the pages go up to the cap."""

    cap = COUNT_CAP

    @cached_property
    def total(self) -> int:
        """The number of sessions, up to `cap` + 1."""
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.total, self.cap)

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    def page(self, number):
        """The page's sessions in two statements: their ids in the search's order (read from the
        index alone, however many rows the order sorts), then those rows with their relations."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        base = self.object_list
        ids = list(base.values_list("pk", flat=True)[bottom:top])
        details = base.model._default_manager.filter(pk__in=ids).order_by()
        details.query.select_related = base.query.select_related
        rows = {row.pk: row for row in details.prefetch_related(*base._prefetch_related_lookups)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def map_points(filters: SessionFilter) -> dict:
    """What the search's map shows for `filters`: every session matching them (not one page),
    remote sessions counted apart. Up to MAP_COMMUNE_SESSIONS sessions, one point per commune
    with its number of sessions (`niveau` « communes ») and, up to MAP_TITLED_SESSIONS, the
    offers' titles (MAP_TITLES per point, the others counted); beyond, one point per département
    at its chef-lieu (`niveau` « departements »): a few dozen points however broad the search.

    One read of at most MAP_COMMUNE_SESSIONS + 1 sessions (their commune and offer) tells which:
    up to that many, the points are drawn from it (then the communes, and the offers' titles by
    their ids); more, one statement groups the sessions by département. Two or three statements
    besides the search's own (the longest session, a free text's offers)."""
    sessions = filters.sessions(grouped=True).order_by()
    rows = list(sessions.values_list("commune_id", "offer_id")[: MAP_COMMUNE_SESSIONS + 1])
    many = len(rows) > MAP_COMMUNE_SESSIONS
    if many:
        key = "departement"
        groups = list(sessions.values_list(key).annotate(n=Count("id")).order_by())
    else:
        key = "commune"
        groups = Counter(commune for commune, _ in rows).items()
    remote = sum(n for code, n in groups if code is None)
    groups = sorted(((code, n) for code, n in groups if code is not None), key=lambda g: (-g[1], g[0]))
    places = _departement_places() if many else _commune_places([code for code, _ in groups])
    points = [
        {key: code, "nom": places[code][0], "lat": places[code][1], "lon": places[code][2], "sessions": n}
        for code, n in groups
        if code in places
    ]
    total = remote + sum(n for _, n in groups)
    titled = not many and 0 < total <= MAP_TITLED_SESSIONS and bool(points)
    if titled:
        titles = dict(
            Offer.objects.filter(pk__in={offer for commune, offer in rows if commune}).order_by().values_list("pk", "title")
        )
        offers = {}
        pairs = {(commune, titles[offer]) for commune, offer in rows if commune and offer in titles}
        for code, title in sorted(pairs, key=lambda pair: (pair[0], pair[1].lower())):
            offers.setdefault(code, []).append(title)
        for point in points:
            names = offers.get(point["commune"], [])
            point["offres"] = names[:MAP_TITLES]
            point["autres_offres"] = max(0, len(names) - MAP_TITLES)
    return {
        "niveau": "departements" if many else "communes",
        "sessions": total,
        "a_distance": remote,
        "lieux": len(points),
        "avec_offres": titled,
        "points": points,
    }


def _commune_places(codes) -> dict:
    """{INSEE code: (name, latitude, longitude)} of the communes `codes`."""
    return {
        code: (name, lat, lon)
        for code, name, lat, lon in Commune.objects.filter(insee_code__in=codes).values_list(
            "insee_code", "name", "latitude", "longitude"
        )
    }


def _departement_places() -> dict:
    """{code: (name, latitude, longitude)} of the départements, placed at their chef-lieu:
    reference data, read once a day (cached)."""
    places = cache.get("training:map:departements:v1")
    if places is None:
        chefs = _commune_places(Departement.objects.values_list("chef_lieu", flat=True))
        places = {
            code: (name, *chefs[chef][1:])
            for code, name, chef in Departement.objects.values_list("code", "name", "chef_lieu")
            if chef in chefs
        }
        cache.set("training:map:departements:v1", places, 24 * 3600)
    return places
