"""Multi-step operations of the registry: saving an entry (with revisions of published
entries), submitting and moderating, duplicate detection, evidence files, notifications."""

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tpj.audit.services import record
from tpj.core.text import normalize
from tpj.nomenclatures.models import EligibilitySituation, Priority

from . import aggregates, grid
from .geocoding import geocode
from .identifiers import normalise_reference
from .models import ContactChannel, Entry, EntryPriority, EntrySituation, State
from .workflow import ENTRY_WORKFLOW

# Changing any of these on a published entry sends the change back to moderation.
SUBSTANTIVE_FIELDS = ("kind_id", "category_id", "address", "postal_code", "commune_id")
COSMETIC_FIELDS = ("name", "website")
ENTRY_FIELDS = SUBSTANTIVE_FIELDS + COSMETIC_FIELDS
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
DUPLICATE_RADIUS_KM = 0.2


# -- evidence files ---------------------------------------------------------------------
def sniff_content_type(head: bytes) -> str:
    """PDF, PNG or JPEG recognised by their magic bytes; "" for anything else."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return ""


def validate_evidence(upload: UploadedFile) -> str:
    """Return the content type of an acceptable evidence file, else raise a French error."""
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            f"Le fichier « {upload.name} » pèse {upload.size / 1024 / 1024:.1f} Mo : la limite est de 10 Mo.", code="too_large"
        )
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if not content_type:
        raise ValidationError(
            f"Le fichier « {upload.name} » n'est ni un PDF, ni une image PNG ou JPEG (son contenu a été vérifié, "
            "pas seulement son extension).",
            code="bad_type",
        )
    return content_type


# -- data carried from forms and API ---------------------------------------------------------
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


def _existing_evidence_meta(entry: Entry) -> dict:
    return {s.evidence.name: (s.evidence_content_type, s.evidence_name) for s in entry.situations.all() if s.evidence}


def _keep_evidence_meta(entry: Entry, data: EntryData) -> None:
    """Carry the stored type/name of evidence files kept from `entry` into `data`."""
    if data.situations is None:
        return
    meta = _existing_evidence_meta(entry)
    for item in data.situations:
        evidence = item.get("evidence")
        name = getattr(evidence, "name", evidence) if evidence and not isinstance(evidence, UploadedFile) else None
        if name in meta:
            item.setdefault("evidence_content_type", meta[name][0])
            item.setdefault("evidence_name", meta[name][1])


@transaction.atomic
def create_entry(user, data: EntryData) -> Entry:
    """A new draft entry whose first member is `user`."""
    entry = Entry(state=State.DRAFT)
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
    _keep_evidence_meta(entry, data)
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


# -- submission and moderation -----------------------------------------------------------
def submission_errors(entry: Entry) -> list[str]:
    """What is missing before the entry can be sent to moderation (French)."""
    errors = []
    if not entry.commune_id:
        errors.append("Indiquez la commune de l'activité.")
    if not entry.priorities.exists():
        errors.append("Cochez au moins une priorité des 1000 premiers jours, avec ce que vous faites pour elle.")
    elif entry.priorities.filter(description="").exists():
        errors.append("Décrivez en quelques mots ce que vous faites pour chaque priorité cochée.")
    if not entry.situations.exists():
        errors.append("Déclarez au moins une situation d'éligibilité, avec l'organisme qui vous fait confiance et une référence.")
    return errors


def submit(entry: Entry, user) -> Entry:
    """Send a draft (or a corrected entry) to moderation. A second click changes nothing."""
    ENTRY_WORKFLOW.check(entry, "submit", user)  # who and when before what is missing
    errors = submission_errors(entry)
    if errors:
        raise ValidationError(errors)

    def stamp(locked):
        locked.submitted_at = timezone.now()
        locked.decision_reason = ""

    return ENTRY_WORKFLOW.fire(entry, "submit", user, on_fire=stamp)


def moderate(entry: Entry, transition: str, user, reason: str = "") -> Entry:
    """Verify, reject, request changes, suspend or reinstate; notify the members."""
    from .workflow import MODERATION_TRANSITIONS

    if transition not in MODERATION_TRANSITIONS:
        raise ValidationError(f"Action de modération inconnue : « {transition} ».")
    outcome = {}

    def on_fire(locked):
        locked.decision_reason = (reason or "").strip()
        if transition in ("verify", "reinstate"):
            locked.verified_at = locked.verified_at if transition == "reinstate" else timezone.now()
            if locked.revision_of_id is None:
                outcome["publish"] = True
        if transition == "suspend":
            outcome["unpublish"] = True

    entry = ENTRY_WORKFLOW.fire(entry, transition, user, reason=reason, on_fire=on_fire)
    if entry.revision_of_id and transition == "verify":
        apply_revision(entry, user)
    elif outcome.get("publish"):
        aggregates.apply(entry, +1)
    elif outcome.get("unpublish"):
        aggregates.apply(entry, -1)
    notify_members(entry, transition, reason)
    return entry


DECISION_SUBJECTS = {
    "verify": "Votre fiche est vérifiée et publiée",
    "reject": "Votre fiche n'a pas été retenue",
    "request_changes": "Des modifications sont demandées sur votre fiche",
    "suspend": "Votre fiche est suspendue",
    "reinstate": "Votre fiche est de nouveau publiée",
}


def notify_members(entry: Entry, transition: str, reason: str = "") -> None:
    recipients = list(entry.members.filter(is_active=True).values_list("email", flat=True))
    if not recipients:
        return
    context = {
        "entry": entry,
        "transition": transition,
        "reason": reason,
        "subject": DECISION_SUBJECTS[transition],
        "url": settings.SITE_URL.rstrip("/") + reverse("registry:entry", args=[entry.public_entry.pk]),
        "edit_url": settings.SITE_URL.rstrip("/") + reverse("registry:edit", args=[entry.pk]),
    }
    send_mail(
        f"[1000 premiers jours] {DECISION_SUBJECTS[transition]} : {entry.name}"[:200],
        render_to_string("registry/email/decision.txt", context),
        None,
        recipients,
    )


# -- duplicates --------------------------------------------------------------------------
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


# -- members -----------------------------------------------------------------------------
@transaction.atomic
def add_member(entry: Entry, email: str, user):
    from tpj.accounts.models import User

    member = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if member is None:
        raise ValidationError(
            {"email": "Aucun compte actif n'utilise cette adresse : la personne doit d'abord créer son compte."}
        )
    entry.members.add(member)
    record(actor=user, obj=entry, action="registry.member_added", reason=member.email)
    return member


@transaction.atomic
def remove_member(entry: Entry, member, user):
    if entry.members.count() <= 1:
        raise ValidationError("Une fiche garde au moins un membre.")
    entry.members.remove(member)
    record(actor=user, obj=entry, action="registry.member_removed", reason=member.email)
