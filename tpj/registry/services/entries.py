"""Writing an entry: registration, edits, and revisions of published entries (a substantive
change of a published entry goes through moderation on a copy while the original stays public)."""

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from tpj.audit.services import record
from tpj.core.creation_tokens import CreationToken
from tpj.nomenclatures.models import EligibilitySituation, Priority

from .. import aggregates
from ..geocoding import geocode
from ..identifiers import normalise_reference
from ..models import ContactChannel, Entry, EntryPriority, EntrySituation, State
from .evidence import keep_evidence_meta, validate_evidence

# Changing any of these on a published entry sends the change back to moderation.
SUBSTANTIVE_FIELDS = ("kind_id", "category_id", "address", "postal_code", "commune_id")
COSMETIC_FIELDS = ("name", "website")
ENTRY_FIELDS = SUBSTANTIVE_FIELDS + COSMETIC_FIELDS


@dataclass
class EntryData:
    """What a registrant sends: plain values, validated by a form or a serializer.

    `priorities` maps priority numbers to descriptions; `situations` and `contacts` are
    lists of dicts. `None` leaves that part unchanged.
    """

    fields: dict = field(default_factory=dict)
    priorities: dict | None = None
    situations: list | None = None
    contacts: list | None = None


def _situation_key(item: dict):
    evidence = item.get("evidence")
    evidence_key = getattr(evidence, "name", evidence) if not isinstance(evidence, UploadedFile) else object()
    return (
        item["situation"].number if hasattr(item["situation"], "number") else int(item["situation"]),
        item["trusting_body_name"].strip(),
        item["trusting_body_kind"],
        item["reference_type"],
        normalise_reference(item["reference_type"], item["reference_value"]),
        evidence_key or "",
    )


def snapshot(entry: Entry) -> dict:
    """The content of an entry as plain data (audit before/after, revision diff)."""
    return {
        **{name: getattr(entry, name) for name in ENTRY_FIELDS},
        "priorities": {str(p.priority.number): p.description for p in entry.priorities.select_related("priority")},
        "situations": [
            {
                "situation": s.situation.number,
                "trusting_body_name": s.trusting_body_name,
                "trusting_body_kind": s.trusting_body_kind,
                "reference_type": s.reference_type,
                "reference_value": s.reference_value,
                "evidence": s.evidence.name,
            }
            for s in entry.situations.select_related("situation")
        ],
        "contacts": [{"kind": c.kind, "value": c.value, "is_public": c.is_public} for c in entry.contacts.all()],
    }


def is_substantive(entry: Entry, data: EntryData) -> bool:
    """Does this change touch eligibility, category, address or priorities?"""
    for name in SUBSTANTIVE_FIELDS:
        if name in data.fields and data.fields[name] != getattr(entry, name):
            return True
    if data.priorities is not None:
        current = {p.priority.number: p.description for p in entry.priorities.select_related("priority")}
        if current != {int(k): (v or "") for k, v in data.priorities.items()}:
            return True
    if data.situations is not None:
        current = sorted(
            _situation_key(
                {
                    **{
                        f: getattr(s, f)
                        for f in ("trusting_body_name", "trusting_body_kind", "reference_type", "reference_value")
                    },
                    "situation": s.situation,
                    "evidence": s.evidence.name,
                }
            )
            for s in entry.situations.select_related("situation")
        )
        try:
            proposed = sorted(_situation_key(item) for item in data.situations)
        except TypeError:  # a new upload is never equal to what is stored
            return True
        if current != proposed:
            return True
    return False


def _write(entry: Entry, data: EntryData) -> None:
    """Write `data` onto `entry` and its children (replacing them), with derived columns."""
    for name, value in data.fields.items():
        setattr(entry, name, value)
    if entry.commune_id and ({"address", "commune_id", "postal_code"} & set(data.fields) or entry.latitude is None):
        point = geocode(entry.address, entry.commune)
        entry.latitude, entry.longitude, entry.geocoding_precision = point.latitude, point.longitude, point.precision
    elif not entry.commune_id:
        entry.latitude = entry.longitude = None
        entry.geocoding_precision = ""
    numbers = [int(n) for n in data.priorities] if data.priorities is not None else None
    entry.refresh_derived(priority_numbers=numbers)
    entry.full_clean(exclude=["members", "kind", "category"] if entry.pk is None else ["members"])
    entry.save()
    if data.priorities is not None:
        by_number = {p.number: p for p in Priority.objects.filter(number__in=numbers)}
        entry.priorities.all().delete()
        EntryPriority.objects.bulk_create(
            [
                EntryPriority(entry=entry, priority=by_number[int(n)], description=(d or "").strip())
                for n, d in data.priorities.items()
            ]
        )
    if data.situations is not None:
        entry.situations.all().delete()
        for item in data.situations:
            _create_situation(entry, item)
    if data.contacts is not None:
        entry.contacts.all().delete()
        ContactChannel.objects.bulk_create(
            [
                ContactChannel(entry=entry, kind=c["kind"], value=c["value"].strip(), is_public=bool(c.get("is_public")))
                for c in data.contacts
                if (c.get("value") or "").strip()
            ]
        )


def _create_situation(entry: Entry, item: dict) -> EntrySituation:
    situation = item["situation"]
    if not isinstance(situation, EligibilitySituation):
        situation = EligibilitySituation.objects.get(number=int(situation))
    obj = EntrySituation(
        entry=entry,
        situation=situation,
        trusting_body_name=item["trusting_body_name"].strip(),
        trusting_body_kind=item["trusting_body_kind"],
        reference_type=item["reference_type"],
        reference_value=normalise_reference(item["reference_type"], item["reference_value"]),
    )
    evidence = item.get("evidence")
    if isinstance(evidence, UploadedFile):
        obj.evidence_content_type = validate_evidence(evidence)
        obj.evidence_name = evidence.name[:200]
        obj.evidence.save(evidence.name, evidence, save=False)
    elif evidence:
        obj.evidence.name = getattr(evidence, "name", evidence)
        obj.evidence_content_type = item.get("evidence_content_type", "")
        obj.evidence_name = item.get("evidence_name", "")
    obj.full_clean(exclude=["entry", "evidence"])
    obj.save()
    return obj


@transaction.atomic
def create_entry(user, data: EntryData, client_token=None) -> tuple[Entry, bool]:
    """A new draft entry whose first member is `user`; returns (entry, created).

    With a `client_token` already used by `user`, the creation is a replay (a double click, a
    retry after a timeout): the entry created the first time comes back, nothing is written,
    even when both arrive at the same moment (the database's unique index decides)."""
    token = CreationToken(
        Entry.objects,
        client_token,
        is_owner=lambda entry: entry.members.filter(pk=user.pk).exists(),
        foreign_message="Ce jeton de création appartient à une autre fiche : envoyez-en un nouveau.",
    )
    if (existing := token.replayed()) is not None:
        return existing, False
    return token.create(lambda: _new_entry(user, data, token.client_token))


def _new_entry(user, data: EntryData, client_token) -> Entry:
    entry = Entry(state=State.DRAFT, client_token=client_token)
    _write(entry, data)
    entry.members.add(user)
    record(actor=user, obj=entry, action="registry.create", to_state=entry.state, after=_jsonable(snapshot(entry)))
    return entry


@transaction.atomic
def save_entry(entry: Entry, user, data: EntryData) -> tuple[Entry, str]:
    """Apply a registrant's change; return (entry written, outcome).

    outcome is "saved" (written in place), or "revision" when a substantive change of a
    published or suspended entry was written to a revision awaiting moderation (the
    public version stays as it was).
    """
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    keep_evidence_meta(entry, data.situations)
    target, outcome = entry, "saved"
    if entry.revision_of_id is None and entry.state in (State.VERIFIED, State.SUSPENDED) and is_substantive(entry, data):
        target = entry.pending_revision or clone_as_revision(entry, user)
        if target.state == State.SUBMITTED:
            raise ValidationError("Une modification est déjà en cours de vérification : attendez la décision du modérateur.")
        outcome = "revision"
    elif entry.state == State.SUBMITTED:
        raise ValidationError("La fiche est en cours de vérification : vous pourrez la modifier après la décision du modérateur.")
    before = _jsonable(snapshot(target))
    was_published = target.is_published
    if was_published:
        aggregates.apply(target, -1)
    _write(target, data)
    if was_published:
        aggregates.apply(target, +1)
    record(actor=user, obj=target, action="registry.edit", before=before, after=_jsonable(snapshot(target)))
    return target, outcome


def clone_as_revision(entry: Entry, user) -> Entry:
    """A draft copy of a published entry, to carry a substantive change through moderation."""
    situations = list(entry.situations.all())
    priorities = list(entry.priorities.all())
    contacts = list(entry.contacts.all())
    members = list(entry.members.all())
    revision = Entry.objects.get(pk=entry.pk)
    revision.pk = revision.id = None
    revision._state.adding = True
    revision.public_id = uuid.uuid4()
    revision.client_token = None
    revision.revision_of = entry
    revision.state = State.DRAFT
    revision.decision_reason = ""
    revision.external_id = ""
    revision.submitted_at = revision.verified_at = None
    revision.save()
    for child in situations + priorities + contacts:
        child.pk = child.id = None
        child._state.adding = True
        child.entry = revision
        child.save()
    revision.members.set(members)
    record(actor=user, obj=revision, action="registry.revision_opened", reason=f"Révision de la fiche n° {entry.pk}")
    return revision


def apply_revision(revision: Entry, user) -> Entry:
    """Copy a verified revision onto its published entry (inside the verify transaction)."""
    original = Entry.objects.select_for_update().get(pk=revision.revision_of_id)
    before = _jsonable(snapshot(original))
    if original.is_published:
        aggregates.apply(original, -1)
    for name in (*ENTRY_FIELDS, "latitude", "longitude", "geocoding_precision"):
        setattr(original, name, getattr(revision, name))
    for relation in ("priorities", "situations", "contacts"):
        getattr(original, relation).all().delete()
        for child in getattr(revision, relation).all():
            child.pk = child.id = None
            child._state.adding = True
            child.entry = original
            child.save()
    original.refresh_derived()
    original.save()
    if original.is_published:
        aggregates.apply(original, +1)
    record(
        actor=user,
        obj=original,
        action="registry.revision_applied",
        before=before,
        after=_jsonable(snapshot(original)),
        reason=f"Révision n° {revision.pk} vérifiée",
    )
    return original


def _jsonable(data: dict) -> dict:
    return {k: (v if isinstance(v, str | int | float | bool | list | dict | type(None)) else str(v)) for k, v in data.items()}
