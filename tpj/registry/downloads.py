"""The directory's open-data exports as files prepared by the workers (tpj.downloads).

The content is the synchronous export's, piece for piece (the same generators of `exports`):
published entries and the contacts their members agreed to publish, with the directory's
filters of the page the button was on. Without filters each file is also regenerated
regularly and served at its public address (`views.exports`)."""

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import QueryDict

from tpj.core import exports as core_exports
from tpj.downloads.builders import Builder, register

from . import exports
from .filters import EntryFilter
from .models import Entry, EntryPriority

FILTER_KEYS = ("priorite", "categorie", "type", "region", "departement", "commune", "q", "autour", "km", "bbox")
FULL = "annuaire complet"


def filters_of(query) -> str:
    """The directory filters of `query` (a QueryDict) as a query string; "" when there are none."""
    kept = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        values = [v for v in query.getlist(key) if v.strip()]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


def _parse(query, user) -> dict:
    filters = filters_of(query)
    try:
        EntryFilter.from_query(QueryDict(filters))
    except ValidationError as error:
        raise ValidationError([f"Filtres invalides : {' '.join(error.messages)}"]) from None
    return {"filtres": filters}


def _entries(parameters):
    """Published entries only (what anyone may see): the open data's scope whoever asks."""
    return EntryFilter.from_query(QueryDict(parameters.get("filtres", ""))).published_entries()


def _describe(parameters) -> str:
    if not parameters.get("filtres"):
        return FULL
    try:
        f = EntryFilter.from_query(QueryDict(parameters["filtres"]))
    except ValidationError:
        return "filtres appliqués"
    parts = []
    if f.priorities:
        parts.append("priorités " + ", ".join(str(n) for n in sorted(f.priorities)))
    for label, value in (
        ("catégorie", f.category),
        ("type", f.kind),
        ("région", f.region),
        ("département", f.departement),
        ("commune", f.commune),
    ):
        if value is not None:
            parts.append(f"{label} {value}")
    if f.near is not None:
        parts.append(f"à {f.radius_km:g} km de {f.near}")
    if f.text:
        parts.append(f"recherche « {f.text} »")
    if f.bbox:
        parts.append("zone de la carte")
    return "filtres : " + ", ".join(parts) if parts else FULL


def _last_change():
    return Entry.objects.aggregate(last=Max("updated_at"))["last"]


def _count_entries(parameters, user) -> int:
    return _entries(parameters).count()


def _count_services(parameters, user) -> int:
    return EntryPriority.objects.filter(entry__in=_entries(parameters).values("pk")).count()


def _csv(parameters, user):
    rows = (exports.entry_row(entry) for entry in exports.export_queryset(_entries(parameters)).iterator(chunk_size=2000))
    return core_exports.csv_lines(exports.CSV_COLUMNS, rows)


def _geojson(parameters, user):
    features = (exports.geojson_feature(e) for e in exports.export_queryset(_entries(parameters)).iterator(chunk_size=2000))
    return exports._json_array(features, '{"type": "FeatureCollection", "features": [', "]}")


def _structures(parameters, user):
    return exports._json_array(exports.data_inclusion_structures(_entries(parameters)))


def _services(parameters, user):
    return exports._json_array(exports.data_inclusion_services(_entries(parameters)))


# Open data: the same published entries whoever asks, regenerated regularly without filters.
COMMON = {
    "parse": _parse,
    "describe": _describe,
    "scope": lambda user: {"donnees": "publiques"},
    "public": True,
    "last_change": _last_change,
}

register(
    Builder(
        kind="registry.csv",
        label="Annuaire : fiches vérifiées (CSV)",
        format_label="CSV",
        content_type=core_exports.CSV_CONTENT_TYPE,
        filename=lambda p: "annuaire-1000-premiers-jours.csv",
        chunks=_csv,
        count=_count_entries,
        **COMMON,
    )
)
register(
    Builder(
        kind="registry.geojson",
        label="Annuaire : carte des fiches vérifiées (GeoJSON)",
        format_label="GeoJSON",
        content_type="application/geo+json",
        filename=lambda p: "annuaire-1000-premiers-jours.geojson",
        chunks=_geojson,
        count=_count_entries,
        **COMMON,
    )
)
register(
    Builder(
        kind="registry.data-inclusion-structures",
        label="Annuaire au format data·inclusion : structures (JSON)",
        format_label="JSON",
        content_type="application/json",
        filename=lambda p: "structures-data-inclusion.json",
        chunks=_structures,
        count=_count_entries,
        **COMMON,
    )
)
register(
    Builder(
        kind="registry.data-inclusion-services",
        label="Annuaire au format data·inclusion : services (JSON)",
        format_label="JSON",
        content_type="application/json",
        filename=lambda p: "services-data-inclusion.json",
        chunks=_services,
        count=_count_services,
        **COMMON,
    )
)

# The export formats of the public address `annuaire/export.<fmt>` and their builders.
PUBLIC_KINDS = {
    "csv": "registry.csv",
    "geojson": "registry.geojson",
    "data-inclusion-structures": "registry.data-inclusion-structures",
    "data-inclusion-services": "registry.data-inclusion-services",
}
