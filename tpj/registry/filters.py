"""The directory filters, shared by the pages, the API, the map and the exports.

Every filter state is a query string (permalink): `priorite`, `categorie`, `type`,
`region`, `departement`, `commune`, `q`, `autour` (commune INSEE code) + `km`, `bbox`.
"""

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ExpressionWrapper, F, FloatField
from django.db.models.expressions import RawSQL

from tpj.core.plain_rows import plain_rows, shaped_rows
from tpj.core.text import normalize
from tpj.nomenclatures.models import Category, EntryKind, Priority
from tpj.territories.models import Commune, Departement, Region

from . import grid
from .models import Entry, MapAggregate, filter_tokens

MAX_RADIUS_KM = 200
DEFAULT_RADIUS_KM = 20


@dataclass
class EntryFilter:
    priorities: list[int] = field(default_factory=list)
    category: Category | None = None
    kind: EntryKind | None = None
    region: Region | None = None
    departement: Departement | None = None
    commune: Commune | None = None
    text: str = ""
    near: Commune | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east

    # -- parsing -------------------------------------------------------------------------
    @classmethod
    def from_query(cls, params) -> "EntryFilter":
        """Parse a QueryDict; raise ValidationError {param: French message} on bad values."""
        errors, result = {}, cls()
        numbers = _valid_priority_numbers()
        for raw in params.getlist("priorite") if hasattr(params, "getlist") else _as_list(params.get("priorite")):
            if raw in ("", None):
                continue
            if not str(raw).isdigit() or int(raw) not in numbers:
                errors["priorite"] = f"Priorité inconnue : « {raw} » (numéros de 1 à {max(numbers)})."
            elif int(raw) not in result.priorities:
                result.priorities.append(int(raw))
        regions, departements = reference_territories()
        lookups = (
            ("categorie", "category", Category, "slug", "Catégorie inconnue", {}),
            ("type", "kind", EntryKind, "slug", "Type de fiche inconnu", {}),
            ("region", "region", Region, "code", "Région inconnue", regions),
            ("departement", "departement", Departement, "code", "Département inconnu", departements),
        )
        for param, attr, model, key, message, known in lookups:
            value = (params.get(param) or "").strip()
            if value:
                obj = known.get(value) or model.objects.filter(**{key: value}).first()
                if obj is None:
                    errors[param] = f"{message} : « {value[:50]} »."
                setattr(result, attr, obj)
        for param, attr in (("commune", "commune"), ("autour", "near")):  # a name, a postal code or an INSEE code
            commune, message = Commune.objects.resolve(params.get(param) or "")
            if message:
                errors[param] = message
            setattr(result, attr, commune)
        result.text = (params.get("q") or "").replace("\x00", "").strip()[:200]  # PostgreSQL refuses NUL
        km = (params.get("km") or "").strip()
        if km:
            try:
                result.radius_km = float(km.replace(",", "."))
                if not 0 < result.radius_km <= MAX_RADIUS_KM:
                    raise ValueError
            except ValueError:
                errors["km"] = f"Le rayon doit être un nombre de kilomètres entre 1 et {MAX_RADIUS_KM}."
        bbox = (params.get("bbox") or "").strip()
        if bbox:
            try:
                west, south, east, north = (float(v) for v in bbox.split(","))
                if not (-90 <= south <= north <= 90 and -180 <= west <= east <= 180):
                    raise ValueError
                result.bbox = (south, west, north, east)
            except ValueError:
                errors["bbox"] = "bbox attendu : ouest,sud,est,nord en degrés (ex. -5.2,47.2,-1.0,48.9)."
        if errors:
            raise ValidationError(errors)
        return result

    # -- queries -------------------------------------------------------------------------
    @property
    def is_aggregatable(self) -> bool:
        """True when the precomputed map counts can answer (no text, commune or distance filter)."""
        return not (self.text or self.commune or self.near or len(self.priorities) > 1)

    @property
    def is_text_only(self) -> bool:
        """True when the full-text index alone answers (text, with filters it holds as tokens)."""
        return self.has_words and not (self.commune or self.near or self.bbox)

    @property
    def has_words(self) -> bool:
        return bool(search_words(self.text))

    @property
    def is_column_only(self) -> bool:
        """True when each filter compares a column with its value as it is (no text, commune
        or distance, whose values are transformed): its statements can be built once per
        shape and take each state's values (`plain_rows.shaped_rows`, `column_values`)."""
        return not (self.text or self.commune or self.near)

    def shaped_entries(self):
        """(shape, values, entries): the published entries of this state as `entries(*values)`,
        each value taken as it is, for a statement built once per shape
        (`plain_rows.shaped_rows`); None for a state whose statement is built each time (a
        text with a commune, a box or a distance; a commune)."""
        count = len(self.priorities)
        if self.is_column_only:
            return (
                ("columns", count),
                self.column_values(),
                lambda *values: self.from_column_values(count, values).published_entries(),
            )
        if self.is_text_only:
            return ("text",), text_match_values(self), lambda *values: match_text(Entry.objects.published(), *values)
        if self.near and not (self.text or self.commune):
            columns = self.column_values()
            return (
                ("near", count),
                (*columns, *near_values(self.near.latitude, self.near.longitude, self.radius_km)),
                lambda *values: within_distance(
                    self.from_column_values(count, values[: len(columns)]).published_entries(), *values[len(columns) :]
                ),
            )
        return None

    def published_rows(self, name, read, shaped: bool = True) -> list[tuple]:
        """`plain_rows(read(self.published_entries()))`: the rows `read` takes from this state's
        published entries, by a statement built once per shape (`name`, then the state's
        shape) when `shaped` and the state allows it (`shaped_entries`)."""
        statement = self.shaped_entries() if shaped else None
        if statement is None:
            return plain_rows(read(self.published_entries()))
        shape, values, entries = statement
        return shaped_rows((*name, *shape), lambda *values: read(entries(*values)), values)

    def column_values(self) -> tuple:
        """The values of a column-only state, in the order `from_column_values` reads them."""
        return (*self.priorities, self.category, self.kind, self.region, self.departement, *(self.bbox or ()))

    @classmethod
    def from_column_values(cls, priority_count: int, values: tuple) -> "EntryFilter":
        """The column-only state whose `column_values()` are `values`, with `priority_count` priorities."""
        category, kind, region, departement = values[priority_count : priority_count + 4]
        return cls(
            priorities=list(values[:priority_count]),
            category=category,
            kind=kind,
            region=region,
            departement=departement,
            bbox=tuple(values[priority_count + 4 :]) or None,
        )

    def apply(self, queryset):
        """Restrict a queryset of published entries to this filter state.

        With a text, the full-text index also answers the priority, category, kind and
        territory filters (tokens in the search text, see `models.filter_tokens`).
        """
        queryset = text_search(queryset, self) if self.has_words else self._apply_columns(queryset)
        if self.commune:
            queryset = queryset.filter(commune=self.commune)
        if self.bbox:
            south, west, north, east = self.bbox
            queryset = queryset.filter(latitude__range=(south, north), longitude__range=(west, east))
        if self.near:
            queryset = within_km(queryset, self.near.latitude, self.near.longitude, self.radius_km)
        return queryset

    def published_entries(self):
        """The published entries of this filter state (directory, API, exports, counts)."""
        return self.apply(Entry.objects.published())

    def aggregate_rows(self, level: str):
        """The precomputed map counts of this filter state at `level` ("D", "C" or "F"), for
        the map when `is_aggregatable`: priority 0 counts each entry once."""
        rows = MapAggregate.objects.filter(level=level, priority=self.priorities[0] if self.priorities else 0)
        return self.filter_dimensions(rows)

    def filter_dimensions(self, queryset):
        """Restrict `queryset` to the category, kind and territory of this filter state: entries,
        or the map counts, which have the same columns."""
        for column, value in (
            ("category", self.category),
            ("kind", self.kind),
            ("region", self.region),
            ("departement", self.departement),
        ):
            if value:
                queryset = queryset.filter(**{column: value})
        return queryset

    def _apply_columns(self, queryset):
        if self.priorities:
            # Any of the priorities: their bits of `models.priority_mask`, shifted by the database,
            # so that the statement's values are the numbers themselves (plain_rows.shaped_rows).
            bits = " | ".join(["(1 << %s)"] * len(self.priorities))
            queryset = queryset.extra(
                where=[f"({queryset.model._meta.db_table}.priority_mask & ({bits})) != 0"], params=list(self.priorities)
            )
        return self.filter_dimensions(queryset)

    def tokens(self) -> tuple[list[str], list[str]]:
        """(tokens all required, priority tokens of which one is required) for the full-text index."""
        required = filter_tokens(
            self.region.code if self.region else None,
            self.departement.code if self.departement else None,
            self.category.pk if self.category else None,
            self.kind.pk if self.kind else None,
            [],
        ).split()
        return required, [f"0p{number}" for number in sorted(self.priorities)]


def _as_list(value):
    if value in (None, ""):
        return []
    return value if isinstance(value, list | tuple) else [value]


@lru_cache(maxsize=1)
def _priority_numbers_cached() -> frozenset:
    return frozenset(Priority.objects.values_list("number", flat=True))


def _valid_priority_numbers() -> frozenset:
    numbers = _priority_numbers_cached()
    if not numbers:
        _priority_numbers_cached.cache_clear()
        numbers = frozenset(Priority.objects.values_list("number", flat=True))
    return numbers


@lru_cache(maxsize=1)
def _reference_territories() -> tuple[dict, dict]:
    return {r.code: r for r in Region.objects.all()}, {d.code: d for d in Departement.objects.all()}


def reference_territories() -> tuple[dict[str, Region], dict[str, Departement]]:
    """(régions, départements) by code, in their display order, read once per process: the
    filters, the map and the directory's form read them on every request, and only
    `load_territories`, a deployment step, changes them. A code missing here is still
    looked up in the database by the filters."""
    territories = _reference_territories()
    if not territories[0]:  # read before the territories were loaded: read again next time
        _reference_territories.cache_clear()
    return territories


_WORD = re.compile(r"[^\W_]+")
# Filter tokens (`0r…`, `0d…`…, see `models.filter_tokens`) and PostgreSQL's prefix lexemes
# (`0q…`, migration 0009): set by the filters and the index only.
_FILTER_TOKEN = re.compile(r"0[rdckpq]")
# PostgreSQL holds each word's first 2 to 6 letters as a `0q<prefix>` lexeme (not for words
# shaped like tokens, `0<letter>…`).
PREFIX_LEXEME_LENGTHS = range(2, 7)
_TOKEN_SHAPED = re.compile(r"0[a-z]")


def search_words(text: str) -> list[str]:
    """The words of a search as the full-text indexes split them (letters and digits),
    without anything shaped like a filter token (those are set by the filters only)."""
    return [word for word in _WORD.findall(normalize(text)) if not _FILTER_TOKEN.match(word)]


def _words_and_prefix(filters: EntryFilter) -> tuple[list[str], str]:
    """The whole words of a search, and its last word, matched as a prefix (being typed)."""
    words = list(dict.fromkeys(search_words(filters.text)))
    return words[:-1], words[-1]


def fts_query(filters: EntryFilter) -> str:
    """SQLite FTS5 query: the words, the last one as a prefix, and the filter tokens."""
    required, any_of = filters.tokens()
    words, prefix = _words_and_prefix(filters)
    terms = [f'"{word}"' for word in words] + [f'"{prefix}"*'] + [f'"{token}"' for token in required]
    if any_of:
        terms.append("(" + " OR ".join(f'"{token}"' for token in any_of) + ")")
    return " AND ".join(terms)


def ts_query(filters: EntryFilter) -> tuple[str, str | None]:
    """PostgreSQL tsquery (configuration 'simple') with the same terms as `fts_query`, and
    the LIKE pattern the search text must also match, if any.

    The last word is looked up as a prefix lexeme (`0q…`), exactly: a `word:*` prefix
    match would gather every matching entry before intersecting. A last word longer than
    the stored prefixes is found by its first six letters, then checked whole on the
    search text (` <word>` at a word's start)."""
    required, any_of = filters.tokens()
    words, prefix = _words_and_prefix(filters)
    pattern = None
    if _TOKEN_SHAPED.match(prefix) or len(prefix) < PREFIX_LEXEME_LENGTHS.start:
        last = f"{prefix}:*"
    elif len(prefix) < PREFIX_LEXEME_LENGTHS.stop:
        last = f"0q{prefix}"
    else:
        last, pattern = f"0q{prefix[: PREFIX_LEXEME_LENGTHS.stop - 1]}", f"% {prefix}%"
    terms = [*words, last, *required]
    if any_of:
        terms.append("(" + " | ".join(any_of) + ")")
    return " & ".join(terms), pattern


# PostgreSQL: the stored tsvector of the search text, under a GIN index (migration 0007).
PG_SEARCH_VECTOR = "registry_entry.search_vector"
SQLITE_MATCH = "SELECT rowid FROM registry_entry_fts WHERE registry_entry_fts MATCH %s"


def text_search(queryset, filters: EntryFilter):
    """French, accent-insensitive search (every word as a prefix) with the token filters.

    SQLite: the FTS5 table of published entries kept in sync by triggers (migrations 0002,
    0003, 0005); PostgreSQL: a GIN index on the stored tsvector of the search text and its
    word prefixes, partial to published entries (migrations 0005, 0007, 0009).
    """
    return match_text(queryset, *text_match_values(filters))


def text_match_values(filters: EntryFilter) -> tuple:
    """The values the text search binds, each as it is (`plain_rows.shaped_rows`): SQLite,
    the FTS5 query; PostgreSQL, the tsquery and the LIKE pattern or None."""
    if connection.vendor == "sqlite":
        return (fts_query(filters),)
    return ts_query(filters)


def match_text(queryset, query: str, pattern: str | None = None):
    """`queryset` restricted to the entries matching `text_match_values`."""
    if connection.vendor == "sqlite":
        return queryset.filter(id__in=RawSQL(SQLITE_MATCH, [query]))
    queryset = queryset.extra(where=[f"{PG_SEARCH_VECTOR} @@ to_tsquery('simple'::regconfig, %s)"], params=[query])
    if pattern:  # words are letters and digits only: nothing to escape in the pattern
        queryset = queryset.extra(where=["(' ' || registry_entry.search_text) LIKE %s"], params=[pattern])
    return queryset


def sqlite_text_count(filters: EntryFilter) -> int:
    """How many published entries a text-only filter state matches, from SQLite's FTS5 index alone."""
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_MATCH.replace("SELECT rowid", "SELECT COUNT(*)"), [fts_query(filters)])
        return cursor.fetchone()[0]


def within_km(queryset, latitude: float, longitude: float, radius_km: float):
    """Entries within `radius_km`: a lat/lon bounding-box prefilter on the index, then the
    equirectangular distance, annotated as `distance2` (squared degrees) for ordering."""
    return within_distance(queryset, *near_values(latitude, longitude, radius_km))


def near_values(latitude: float, longitude: float, radius_km: float) -> tuple[float, ...]:
    """The values `within_distance` binds, each as it is (`plain_rows.shaped_rows`): the
    bounding box (south, west, north, east), the centre, the longitude's scale squared at
    that latitude and the squared radius in degrees."""
    south, west, north, east = grid.bbox_around(latitude, longitude, radius_km)
    scale = math.cos(math.radians(latitude))
    return south, west, north, east, latitude, longitude, scale * scale, (radius_km / grid.KM_PER_DEGREE) ** 2


def within_distance(queryset, south, west, north, east, latitude, longitude, scale2, limit):
    """`queryset` restricted to the entries within the distance given by `near_values`."""
    distance2 = ExpressionWrapper(
        (F("latitude") - latitude) * (F("latitude") - latitude)
        + (F("longitude") - longitude) * (F("longitude") - longitude) * scale2,
        output_field=FloatField(),
    )
    return (
        queryset.filter(latitude__range=(south, north), longitude__range=(west, east))
        .annotate(distance2=distance2)
        .filter(distance2__lte=limit)
    )
