"""Open-data exports of published entries: CSV, GeoJSON and data·inclusion (structures
and services). Only verified entries and the contacts their members agreed to publish."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import StreamingHttpResponse

from tpj.core import exports as core_exports
from tpj.core.text import normalize
from tpj.core.urls_absolute import absolute_reverse

from .models import ContactChannel, EntryPriority

SOURCE = "1000-premiers-jours"
CSV_COLUMNS = [
    "id",
    "nom",
    "type",
    "categorie",
    "adresse",
    "code_postal",
    "commune",
    "code_insee",
    "departement",
    "region",
    "latitude",
    "longitude",
    "precision_localisation",
    "priorites",
    "site",
    "courriel",
    "telephone",
    "verifiee_le",
    "page",
]
# data·inclusion has no value for PMI: the official "departements" network is given and
# the precise one travels in our extension block.
EXTENSION_KEY = "extension_1000_premiers_jours"
_PORTEURS = [
    (("msa", "mutualite sociale agricole"), "mutualite-sociale-agricole", None),
    (("caf", "allocations familiales"), "caf", None),
    (("cpam", "assurance maladie"), "cpam", None),
    (("pmi", "protection maternelle"), "departements", "pmi"),
    (("conseil departemental", "departement"), "departements", None),
    (("commune", "ville de", "mairie", "ccas"), "communes", None),
]
# Priority number -> data·inclusion thématique.
_THEMATIQUES = {5: "sante--acces-aux-soins", 8: "famille--garde-denfants", 7: "famille--garde-denfants"}
_DEFAULT_THEMATIQUE = "famille--soutien-a-la-parentalite-et-a-leducation"


def export_queryset(queryset):
    return (
        queryset.select_related("kind", "category", "commune", "departement", "region")
        .prefetch_related(
            Prefetch("priorities", queryset=EntryPriority.objects.select_related("priority")),
            Prefetch("contacts", queryset=ContactChannel.objects.filter(is_public=True), to_attr="published_contacts"),
            "situations",
        )
        .order_by("id")
    )


def _contact(entry, kind) -> str:
    return next((c.value for c in entry.published_contacts if c.kind == kind), "")


def _page(entry) -> str:
    return absolute_reverse("registry:entry", args=[entry.pk])


def entry_row(entry) -> list:
    return [
        entry.pk,
        entry.name,
        entry.kind.label,
        entry.category.label,
        entry.address,
        entry.postal_code,
        entry.commune.name if entry.commune_id else "",
        entry.commune_id or "",
        entry.departement_id or "",
        entry.region_id or "",
        entry.latitude,
        entry.longitude,
        entry.get_geocoding_precision_display(),
        "|".join(str(p.priority.number) for p in entry.priorities.all()),
        entry.website,
        _contact(entry, ContactChannel.Kind.EMAIL),
        _contact(entry, ContactChannel.Kind.PHONE),
        entry.verified_at.date().isoformat() if entry.verified_at else "",
        _page(entry),
    ]


def csv_chunks(queryset):
    """The published entries of `queryset` as the lines of a CSV file."""
    rows = (entry_row(entry) for entry in export_queryset(queryset).iterator(chunk_size=2000))
    return core_exports.csv_lines(CSV_COLUMNS, rows)


def geojson_feature(entry) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [entry.longitude, entry.latitude]},
        "properties": dict(zip(CSV_COLUMNS, entry_row(entry), strict=True)),
    }


def _json_array(items, head="[", tail="]"):
    """A JSON array streamed item by item (exports of the whole directory stay in constant memory)."""
    yield head
    for index, item in enumerate(items):
        yield ("," if index else "") + json.dumps(item, ensure_ascii=False)
    yield tail


def geojson_chunks(queryset):
    """The published entries of `queryset` as the pieces of a GeoJSON feature collection."""
    features = (geojson_feature(entry) for entry in export_queryset(queryset).iterator(chunk_size=2000))
    return _json_array(features, '{"type": "FeatureCollection", "features": [', "]}")


def _porteurs(entry) -> tuple[list[str], list[str]]:
    official, extension = set(), set()
    names = [normalize(s.trusting_body_name) for s in entry.situations.all()]
    if entry.category.slug == "centre-pmi":
        official.add("departements")
        extension.add("pmi")
    for name in names:
        for keywords, value, extra in _PORTEURS:
            if any(k in name for k in keywords):
                official.add(value)
                if extra:
                    extension.add(extra)
                break
    return sorted(official), sorted(extension)


def _siret(entry) -> str | None:
    return next((s.reference_value for s in entry.situations.all() if s.reference_type == "siret"), None)


def _structure_id(entry) -> str:
    return f"{SOURCE}--{entry.pk}"


def _updated_on(entry) -> str:
    return (entry.verified_at or entry.updated_at).date().isoformat()


def _data_inclusion_place(entry) -> dict:
    """Where an entry is and how to reach it: the same fields in a structure and in its services."""
    return {
        "commune": entry.commune.name if entry.commune_id else None,
        "code_postal": entry.postal_code or None,
        "code_insee": entry.commune_id,
        "adresse": entry.address or None,
        "longitude": entry.longitude,
        "latitude": entry.latitude,
        "telephone": _contact(entry, ContactChannel.Kind.PHONE) or None,
        "courriel": _contact(entry, ContactChannel.Kind.EMAIL) or None,
    }


def data_inclusion_structure(entry) -> dict:
    official, extension = _porteurs(entry)
    descriptions = [p.description for p in entry.priorities.all() if p.description]
    return {
        "source": SOURCE,
        "id": _structure_id(entry),
        "nom": entry.name[:150].rstrip(".") if len(entry.name) >= 3 else f"{entry.name} (1000 jours)",
        "date_maj": _updated_on(entry),
        "description": " ".join(descriptions)[:10000] if len(" ".join(descriptions)) >= 5 else None,
        "lien_source": _page(entry),
        "siret": _siret(entry),
        **_data_inclusion_place(entry),
        "site_web": entry.website or None,
        "reseaux_porteurs": official or None,
        EXTENSION_KEY: {
            "categorie": entry.category.slug,
            "type": entry.kind.slug,
            "reseaux_porteurs": extension,
            "priorites": [p.priority.number for p in entry.priorities.all()],
        },
    }


def data_inclusion_services(queryset):
    """One data·inclusion service per declared priority of each published entry (a generator)."""
    for entry in export_queryset(queryset).iterator(chunk_size=2000):
        for declared in entry.priorities.all():
            priority = declared.priority
            description = declared.description if len(declared.description) >= 5 else priority.label
            yield {
                "source": SOURCE,
                "structure_id": _structure_id(entry),
                "id": f"{_structure_id(entry)}--priorite-{priority.number}",
                "nom": f"{priority.short_label} — {entry.name}"[:150].rstrip("."),
                "description": description[:10000],
                "lien_source": _page(entry),
                "date_maj": _updated_on(entry),
                "type": "accompagnement",
                "thematiques": [_THEMATIQUES.get(priority.number, _DEFAULT_THEMATIQUE)],
                "publics": ["familles"],
                **_data_inclusion_place(entry),
                "modes_accueil": ["en-presentiel"],
                EXTENSION_KEY: {"priorite": priority.number},
            }


def data_inclusion_structures(queryset):
    return (data_inclusion_structure(entry) for entry in export_queryset(queryset).iterator(chunk_size=2000))


@dataclass(frozen=True)
class Format:
    """An open-data file of the directory: how it is named and typed, and its pieces of text
    for a queryset of published entries (streamed by the view, written by the workers)."""

    format_label: str  # "CSV", "GeoJSON", "JSON"
    content_type: str
    filename: str
    chunks: Callable[[object], Iterator[str]]


# The formats of the public address `annuaire/export.<fmt>`.
FORMATS = {
    "csv": Format("CSV", core_exports.CSV_CONTENT_TYPE, "annuaire-1000-premiers-jours.csv", csv_chunks),
    "geojson": Format("GeoJSON", "application/geo+json", "annuaire-1000-premiers-jours.geojson", geojson_chunks),
    "data-inclusion-structures": Format(
        "JSON", "application/json", "structures-data-inclusion.json", lambda qs: _json_array(data_inclusion_structures(qs))
    ),
    "data-inclusion-services": Format(
        "JSON", "application/json", "services-data-inclusion.json", lambda qs: _json_array(data_inclusion_services(qs))
    ),
}


def response(fmt: str, queryset) -> StreamingHttpResponse:
    """The published entries of `queryset` in format `fmt` (a key of FORMATS), streamed as a download."""
    export = FORMATS[fmt]
    return core_exports.attachment(
        StreamingHttpResponse(export.chunks(queryset), content_type=export.content_type), export.filename
    )
