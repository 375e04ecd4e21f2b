"""The directory's open-data exports as files prepared by the workers (tpj.downloads).

The content is the synchronous export's, piece for piece (the same generators of `exports`):
published entries and the contacts their members agreed to publish, with the directory's
filters of the page the button was on. Without filters each file is also regenerated
regularly and served at its public address (`views.exports`)."""

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import QueryDict

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


# Each open-data format of `exports.FORMATS`: what the page says the file holds, and how many
# rows it will have (the services: one per declared priority).
LABELS = {
    "csv": ("Annuaire : fiches vérifiées (CSV)", _count_entries),
    "geojson": ("Annuaire : carte des fiches vérifiées (GeoJSON)", _count_entries),
    "data-inclusion-structures": ("Annuaire au format data·inclusion : structures (JSON)", _count_entries),
    "data-inclusion-services": ("Annuaire au format data·inclusion : services (JSON)", _count_services),
}


def public_kind(fmt: str) -> str:
    """The builder of the public address `annuaire/export.<fmt>` ("registry.csv")."""
    return f"registry.{fmt}"


def _register(fmt: str, export: exports.Format) -> None:
    label, count = LABELS[fmt]
    register(
        Builder(
            kind=public_kind(fmt),
            label=label,
            format_label=export.format_label,
            content_type=export.content_type,
            filename=lambda parameters: export.filename,
            chunks=lambda parameters, user: export.chunks(_entries(parameters)),
            count=count,
            parse=_parse,
            describe=_describe,
            # Open data: the same published entries whoever asks, regenerated regularly without filters.
            scope=lambda user: {"donnees": "publiques"},
            public=True,
            last_change=_last_change,
        )
    )


for _fmt, _export in exports.FORMATS.items():
    _register(_fmt, _export)
