"""The registry's models, one module per concern; re-exported here as Django expects."""

from .details import ContactChannel, EntryPriority, EntrySituation, ReferenceType, TrustingBodyKind, evidence_upload_to
from .entries import (
    PUBLISHED,
    UNPUBLISHED,
    Entry,
    EntryQuerySet,
    GeocodingPrecision,
    ReviewState,
    State,
    build_search_text,
    filter_tokens,
    priority_mask,
)
from .imports import ImportJob
from .map import MapAggregate

__all__ = [
    "PUBLISHED",
    "UNPUBLISHED",
    "ContactChannel",
    "Entry",
    "EntryPriority",
    "EntryQuerySet",
    "EntrySituation",
    "GeocodingPrecision",
    "ImportJob",
    "MapAggregate",
    "ReferenceType",
    "ReviewState",
    "State",
    "TrustingBodyKind",
    "build_search_text",
    "evidence_upload_to",
    "filter_tokens",
    "priority_mask",
]
