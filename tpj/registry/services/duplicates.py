"""Possible duplicates of an entry, shown to moderators (nothing is ever merged)."""

from dataclasses import dataclass

from tpj.core.text import normalize

from .. import grid
from ..models import Entry, State

DUPLICATE_RADIUS_KM = 0.2


@dataclass(frozen=True)
class Duplicate:
    entry: Entry
    reason: str


def find_duplicates(entry: Entry, limit: int = 20) -> list[Duplicate]:
    """Other entries with the same identifier, or the same normalised name within 200 m.

    A warning for moderators only: nothing is ever merged.
    """
    family = {entry.pk, entry.revision_of_id} - {None}
    family |= set(Entry.objects.filter(revision_of_id__in=family).values_list("pk", flat=True))
    candidates = Entry.objects.exclude(pk__in=family).exclude(state=State.DRAFT).filter(revision_of__isnull=True)
    found: dict[int, Duplicate] = {}
    references = [
        (s.reference_type, s.reference_value)
        for s in entry.situations.all()
        if s.reference_type in ("siret", "siren", "finess", "rpps", "adeli")
    ]
    for reference_type, value in references:
        for other in candidates.filter(situations__reference_type=reference_type, situations__reference_value=value).distinct()[
            :limit
        ]:
            found.setdefault(other.pk, Duplicate(other, f"même numéro {reference_type.upper()} ({value})"))
    if entry.latitude is not None:
        south, west, north, east = grid.bbox_around(entry.latitude, entry.longitude, DUPLICATE_RADIUS_KM)
        name = normalize(entry.name)
        in_box = {"latitude__range": (south, north), "longitude__range": (west, east)}
        # One query per partial index (published, and not published): "not a draft" alone
        # would match neither, and scan the table.
        nearby = [
            *Entry.objects.published().filter(**in_box).exclude(pk__in=family)[:500],
            *Entry.objects.unpublished().filter(revision_of__isnull=True, **in_box).exclude(pk__in=family)[:500],
        ]
        for other in nearby:
            if (
                normalize(other.name) == name
                and grid.equirectangular_km(entry.latitude, entry.longitude, other.latitude, other.longitude)
                <= DUPLICATE_RADIUS_KM
            ):
                found.setdefault(other.pk, Duplicate(other, "même nom à moins de 200 m"))
    return list(found.values())[:limit]
