"""The registry's models, one module per concern; re-exported here as Django expects."""

from .claims import (
    INVITATION_DAYS,
    ClaimState,
    EntryClaim,
    MatchedOn,
    MemberInvitation,
    has_active_member,
    identifier_match,
)
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
    "INVITATION_DAYS",
    "PUBLISHED",
    "UNPUBLISHED",
    "ClaimState",
    "ContactChannel",
    "Entry",
    "EntryClaim",
    "EntryPriority",
    "EntryQuerySet",
    "EntrySituation",
    "GeocodingPrecision",
    "ImportJob",
    "MapAggregate",
    "MatchedOn",
    "MemberInvitation",
    "ReferenceType",
    "ReviewState",
    "State",
    "TrustingBodyKind",
    "build_search_text",
    "evidence_upload_to",
    "filter_tokens",
    "has_active_member",
    "identifier_match",
    "priority_mask",
]
