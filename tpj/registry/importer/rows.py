"""CSV import of a whole network (e.g. a CAF's list of Relais Petite Enfance).

- the file is decoded as UTF-8, else Latin-1/Windows-1252 (said in the job's message);
- a missing required column refuses the file before anything is saved;
- each row is checked (French error per row, in the job's report) and valid rows become
  entries in state "submitted", located at their commune's centre;
- a moderator's import creates entries only in its territory: every other row is refused,
  with the reason (`permissions.import_territory`; administrators are not limited);
- rows are processed in chunks, each in one transaction that also moves `next_row`:
  an interrupted import resumes where it stopped; re-running a file skips the rows
  whose external identifier (per source) is already known — idempotent.
"""

import gc
import itertools
import time
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import ahead, csv_reader
from tpj.core.text import clean, control_message, first_control, normalize
from tpj.nomenclatures.models import Category, EligibilitySituation, EntryKind, Priority
from tpj.territories.models import Commune, Departement

from . import bulk
from .identifiers import check_reference, normalise_reference
from .models import (
    ContactChannel,
    Entry,
    EntryPriority,
    EntrySituation,
    ImportJob,
    ReferenceType,
    State,
    TrustingBodyKind,
    build_search_text,
)
from .permissions import import_territory

REQUIRED_COLUMNS = [
    "identifiant",
    "nom",
    "type",
    "categorie",
    "code_postal",
    "commune",
    "priorites",
    "situation",
    "organisme",
    "type_organisme",
    "type_reference",
    "reference",
]
OPTIONAL_COLUMNS = ["adresse", "description", "site", "email", "telephone", "contacts_publics"]
MULTILINE_COLUMNS = frozenset({"description"})  # the others are one line
CHUNK_SIZE = 2000  # per htmx poll of the admin's progress page: well under a request timeout
# From the command line: bigger transactions rewrite each index page fewer times.
COMMAND_CHUNK_SIZE = 20_000
MAX_ERRORS_KEPT = 5000
YES = {"oui", "o", "yes", "1", "true", "vrai", "x"}
# Enum `.values` builds a new list on each access: computed once for the per-row checks.
BODY_KINDS = frozenset(TrustingBodyKind.values)
REFERENCE_TYPES = frozenset(ReferenceType.values)


def _normalise_header(name: str) -> str:
    return normalize(name or "").replace(" ", "_")


def inspect_file(handle) -> tuple[str, int]:
    """Check the columns; return (encoding, number of data rows). Raises a French ValidationError."""
    encoding = csv_reader.detect_encoding(handle)
    reader, text = csv_reader.dict_reader(handle, encoding)
    header = [_normalise_header(h) for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        text.detach()
        raise ValidationError(
            f"Colonne(s) manquante(s) : {', '.join(missing)}. Colonnes attendues : {', '.join(REQUIRED_COLUMNS)} "
            f"(facultatives : {', '.join(OPTIONAL_COLUMNS)})."
        )
    rows = sum(1 for _ in reader)
    text.detach()
    handle.seek(0)
    return encoding, rows


@transaction.atomic
def create_job(source: str, upload, user) -> ImportJob:
    source = clean(source, multiline=False).strip()
    encoding, rows = inspect_file(upload.file if hasattr(upload, "file") else upload)
    job = ImportJob(
        source=source,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        total_rows=rows,
        encoding=encoding,
    )
    job.message = "Fichier lu en Latin-1 (Windows-1252)." if encoding == csv_reader.LATIN1 else "Fichier lu en UTF-8."
    upload.seek(0)
    job.file.save(getattr(upload, "name", "import.csv"), upload, save=False)
    job.save()
    record(actor=user, obj=job, action="registry.import_created", reason=f"{source} — {rows} lignes")
    return job


class ReferenceData:
    """Lookups loaded once per run: communes, nomenclatures, and the communes of the job's
    territory (`territory`: None when the import is not limited)."""

    def __init__(self, scope=None):
        self.communes = {
            c[0]: c
            for c in Commune.objects.values_list(
                "insee_code", "name", "departement_id", "region_id", "latitude", "longitude", "postal_codes"
            )
        }
        # Decided once per run, as `Scope.covers` decides for one entry: each row then costs
        # one set lookup (and the second process preparing rows needs no database).
        self.territory = None
        self.departement_names = {}
        if scope is not None:
            self.territory = frozenset(code for code, c in self.communes.items() if scope.covers(region=c[3], departement=c[2]))
            self.departement_names = dict(Departement.objects.values_list("code", "name"))
        self.categories = {c.slug: c for c in Category.objects.all()}
        self.kinds = {k.slug: k for k in EntryKind.objects.all()}
        self.kinds.update({_normalise_header(k.label): k for k in EntryKind.objects.all()})
        self.priorities = {p.number: p for p in Priority.objects.all()}
        self.situations = {s.number: s for s in EligibilitySituation.objects.all()}


class RowErrors(ValueError):
    """The French errors of a row (`args[0]`); `outside`: its commune is outside the import's territory."""

    def __init__(self, errors: list[str], outside: bool = False):
        super().__init__(errors)
        self.outside = outside


def clean_cells(row: dict) -> tuple[dict, list[str]]:
    """The row's cells stripped, without control characters (tpj.core.text), and a French
    error for each cell that had one: such a row is refused, with the column named.

    Tabs and line breaks are kept in the description, replaced by a space elsewhere. (NUL
    characters, encoding junk, are already dropped by the CSV reader.)"""
    cleaned, errors = {}, []
    for key, value in row.items():
        if not isinstance(value, str):
            continue
        if (char := first_control(value)) is not None:
            errors.append(
                control_message(char, f"la colonne « {clean(key or '', multiline=False)[:40]} »", "retirez-le du fichier")[:-1]
            )
        cleaned[key] = clean(value, multiline=key in MULTILINE_COLUMNS).strip()
    return cleaned, errors


def parse_row(row: dict, ref: ReferenceData):
    """Return (entry fields, priorities, situation, contacts) or raise RowErrors(list of French errors)."""
    cleaned, errors = clean_cells(row)
    get = lambda key: cleaned.get(key, "")  # noqa: E731
    name = get("nom")
    if not name:
        errors.append("le nom est vide")
    elif len(name) > 200:
        errors.append(f"le nom dépasse 200 caractères ({len(name)})")
    kind = ref.kinds.get(get("type")) or ref.kinds.get(_normalise_header(get("type")))
    if kind is None:
        errors.append(f"type inconnu « {get('type')[:40]} » (attendu : {', '.join(k for k in ref.kinds if '_' not in k)})")
    category = ref.categories.get(get("categorie"))
    if category is None:
        errors.append(f"catégorie inconnue « {get('categorie')[:40]} »")
    commune = ref.communes.get(get("commune"))
    postal_code = get("code_postal")
    if commune is None:
        errors.append(f"commune inconnue « {get('commune')[:10]} » (code INSEE attendu)")
    elif postal_code not in commune[6].split():
        errors.append(f"le code postal {postal_code[:10]} ne correspond pas à {commune[1]} ({commune[6]})")
    outside = commune is not None and ref.territory is not None and commune[0] not in ref.territory
    if outside:
        where = f"{commune[1]}, {ref.departement_names.get(commune[2], commune[2])}"
        errors.insert(0, f"commune hors de votre territoire de modération ({where})")
    numbers = []
    for raw in get("priorites").replace(",", "|").replace(";", "|").split("|"):
        raw = raw.strip().rstrip("°")
        if raw:
            if raw.isdigit() and int(raw) in ref.priorities:
                numbers.append(int(raw))
            else:
                errors.append(f"priorité inconnue « {raw[:10]} »")
    if not numbers and not any("priorit" in e for e in errors):
        errors.append("aucune priorité (colonne priorites, ex. « 2|8 »)")
    situation = ref.situations.get(int(get("situation"))) if get("situation").isdigit() else None
    if situation is None:
        errors.append(f"situation d'éligibilité inconnue « {get('situation')[:10]} » (1 à 4)")
    body_kind, reference_type = get("type_organisme"), get("type_reference").lower()
    if body_kind not in BODY_KINDS:
        errors.append(f"type d'organisme inconnu « {body_kind[:30]} » (attendu : {', '.join(TrustingBodyKind.values)})")
    if not get("organisme"):
        errors.append("l'organisme qui vous fait confiance est vide")
    if reference_type not in REFERENCE_TYPES:
        errors.append(f"type de référence inconnu « {reference_type[:30]} »")
    else:
        message = check_reference(reference_type, get("reference"))
        if message:
            errors.append(message[0].lower() + message[1:].rstrip("."))
    if errors:
        raise RowErrors(errors, outside)
    public = get("contacts_publics").lower() in YES
    contacts = [
        (kind_, get(col))
        for kind_, col in ((ContactChannel.Kind.EMAIL, "email"), (ContactChannel.Kind.PHONE, "telephone"))
        if get(col)
    ]
    fields = {
        "name": name,
        "kind": kind,
        "category": category,
        "address": get("adresse")[:255],
        "postal_code": postal_code,
        "commune_id": commune[0],
        "departement_id": commune[2],
        "region_id": commune[3],
        "latitude": commune[4],
        "longitude": commune[5],
        "website": get("site")[:300],
        "commune_name": commune[1],
    }
    situation_fields = {
        "situation": situation,
        "trusting_body_name": get("organisme")[:200],
        "trusting_body_kind": body_kind,
        "reference_type": reference_type,
        "reference_value": normalise_reference(reference_type, get("reference"))[:100],
    }
    return fields, numbers, get("description")[:2000], situation_fields, [(k, v[:200], public) for k, v in contacts]


def run(
    job: ImportJob, user, chunk_size: int = CHUNK_SIZE, max_chunks: int | None = None, progress=None, prepare_ahead: bool = False
) -> ImportJob:
    """Process the job from `next_row`, chunk by chunk; `progress(job)` is called after each.

    Each chunk is first checked and turned into table rows without touching the database
    (`_prepare_chunk`), then written in one transaction (`_process_chunk`). With
    `prepare_ahead` (command line), the next chunks are prepared in a second process
    while this one writes: the checks no longer add to the database's time. (A thread
    was measured 10 % slower than no help at all: the interpreter lock makes the two
    compete.)
    """
    prepared = _prepared_chunks(job, ReferenceData(import_territory(job.created_by)), chunk_size)
    if prepare_ahead and ahead.can_work_ahead():
        prepared = ahead.iterate_ahead(prepared)
    job.status = ImportJob.Status.RUNNING
    # A first run for a source no entry comes from yet can only meet identifiers it
    # created itself: they are remembered here instead of looked up (0.8 s per 100,000
    # rows on PostgreSQL). A resumed run, or a known source, asks the database.
    created_here = set() if job.next_row == 0 and not bulk.source_has_entries(job.source) else None
    chunks, exhausted = 0, True
    try:
        for chunk in prepared:
            _process_chunk(job, chunk, user, created_here)
            chunks += 1
            if progress:
                progress(job)
            if max_chunks is not None and chunks >= max_chunks:
                exhausted = False
                break
    finally:
        prepared.close()  # stops the file reading, or the process working ahead
    if exhausted or job.next_row >= job.total_rows:
        job.status = ImportJob.Status.DONE
        ImportJob.objects.filter(pk=job.pk).update(status=job.status)
        if job.created_count:
            bulk.tidy_after_import()
    return job


def _prepared_chunks(job: ImportJob, ref: ReferenceData, chunk_size: int):
    """The file's rows from `next_row` on, `chunk_size` at a time, checked (no database access)."""
    with job.file.open("rb") as handle:
        reader, _ = csv_reader.dict_reader(handle, job.encoding)
        reader.fieldnames = [_normalise_header(h) for h in reader.fieldnames or []]
        rows = itertools.islice(enumerate(reader), job.next_row, None)
        # Small chunks first, doubling: the writing starts at once, and while one chunk is
        # written the next (twice as big) is checked in about the same time.
        size = min(chunk_size, CHUNK_SIZE)
        while chunk := list(itertools.islice(rows, size)):
            yield _prepare_chunk(chunk, ref, job.source, bulk.datetime_value(timezone.now()))
            size = min(2 * size, chunk_size)


def run_chunk(job: ImportJob, user) -> ImportJob:
    return run(job, user, max_chunks=1)


class PreparedRow(NamedTuple):
    """A CSV row checked and turned into table rows, before it gets an id. (A tuple: it
    crosses from the preparing process in a tenth of a dataclass's unpickling time.)"""

    line: int
    external_id: str
    errors: list[str]  # French messages, none when the row is valid
    entry: tuple = ()  # registry_entry row without its id (first column)
    priorities: tuple = ()  # (priority id, description) pairs
    situation: tuple = ()  # registry_entrysituation row without entry_id
    contacts: tuple = ()  # (kind, value, is_public) triples
    outside: bool = False  # refused: outside the import's territory (even when already imported)


def _prepare_chunk(chunk, ref: ReferenceData, source: str, now) -> list[PreparedRow]:
    """Check every row of a chunk and build its table rows (no database access)."""
    return [_prepare_row(index + 2, row, ref, source, now) for index, row in chunk]  # header: line 1


def _prepare_row(line: int, row: dict, ref: ReferenceData, source: str, now) -> PreparedRow:
    external_id = clean(row.get("identifiant") or "", multiline=False).strip()[:100]
    try:
        fields, numbers, description, situation, channels = parse_row(row, ref)
    except ValueError as error:
        return PreparedRow(line, external_id, error.args[0], outside=getattr(error, "outside", False))
    entry = bulk.entry_row(
        None,
        kind_id=fields["kind"].pk,
        category_id=fields["category"].pk,
        name=fields["name"],
        address=fields["address"],
        postal_code=fields["postal_code"],
        commune_id=fields["commune_id"],
        departement_id=fields["departement_id"],
        region_id=fields["region_id"],
        latitude=fields["latitude"],
        longitude=fields["longitude"],
        priorities=numbers,
        search_text=build_search_text(fields["name"], fields["commune_name"], fields["category"].label),
        state=State.SUBMITTED,
        source=source,
        external_id=external_id,
        now=now,
        website=fields["website"],
    )[1:]
    return PreparedRow(
        line,
        external_id,
        [],
        entry,
        priorities=tuple((ref.priorities[n].pk, description) for n in numbers),
        situation=(
            situation["situation"].pk,
            situation["trusting_body_name"],
            situation["trusting_body_kind"],
            situation["reference_type"],
            situation["reference_value"],
            "",
            "",
            "",
        ),
        contacts=tuple((str(kind), value, public) for kind, value, public in channels),
    )


@transaction.atomic
def _process_chunk(job: ImportJob, prepared: list[PreparedRow], user, created_here: set[str] | None = None) -> None:
    """Insert one checked chunk and move `next_row`, in a single transaction.

    Rows whose identifier is already known for this source (an earlier run, or earlier in
    the file) are skipped, whether valid or not: a re-run changes nothing. When
    `created_here` is given, it holds every identifier the source has (see `run`) and
    receives the chunk's new ones.
    """
    if created_here is None:
        known = bulk.known_external_ids(job.source, [item.external_id for item in prepared if item.external_id])
    else:
        known = created_here
    valid, errors = [], []
    for item in prepared:
        if not item.external_id:
            errors.append({"ligne": item.line, "erreurs": ["identifiant vide : chaque ligne doit avoir un identifiant stable"]})
        elif item.outside:  # refused, not "already present": an author learns nothing of another territory
            errors.append({"ligne": item.line, "identifiant": item.external_id, "erreurs": item.errors})
        elif item.external_id in known:
            job.updated_count += 1
        elif item.errors:
            errors.append({"ligne": item.line, "identifiant": item.external_id, "erreurs": item.errors})
        else:
            valid.append(item)
            known.add(item.external_id)
    entries, priorities, situations, contacts = [], [], [], []
    for pk, item in zip(bulk.reserve_ids(Entry, len(valid)), valid, strict=True):
        entries.append((pk, *item.entry))
        priorities += [(pk, *priority) for priority in item.priorities]
        situations.append((pk, *item.situation))
        contacts += [(pk, *contact) for contact in item.contacts]
    bulk.insert_rows(Entry._meta.db_table, bulk.ENTRY_COLUMNS, entries)
    bulk.insert_rows(EntryPriority._meta.db_table, bulk.PRIORITY_COLUMNS, priorities)
    bulk.insert_rows(EntrySituation._meta.db_table, bulk.SITUATION_COLUMNS, situations)
    bulk.insert_rows(ContactChannel._meta.db_table, bulk.CONTACT_COLUMNS, contacts)
    first_line = prepared[0].line
    job.next_row = prepared[-1].line - 1
    job.created_count += len(entries)
    job.error_count += len(errors)
    job.errors = (job.errors + errors)[:MAX_ERRORS_KEPT]
    job.save(update_fields=["next_row", "created_count", "updated_count", "error_count", "errors", "status"])
    record(
        actor=user,
        obj=job,
        action="registry.import_chunk",
        reason=f"lignes {first_line}–{job.next_row + 1} : {len(entries)} fiches créées (soumises), {len(errors)} en erreur",
    )


def import_file(path: str, source: str, user=None, chunk_size: int = CHUNK_SIZE, progress=None) -> ImportJob:
    """Command-line entry point: resume the unfinished job for this file and source, or start
    one; the chunks are checked in a second process while the first writes them."""
    job = ImportJob.objects.filter(source=source, status__in=["pending", "running"]).order_by("-created_at").first()
    if job is None:
        with open(path, "rb") as handle:
            job = create_job(source, File(handle, name=path.rsplit("/", 1)[-1]), user)
    started = time.perf_counter()
    # No garbage collection meanwhile: the chunks are millions of fresh tuples without
    # reference cycles, and the collector's passes over them cost 9 % of an import.
    collecting = gc.isenabled()
    gc.disable()
    try:
        run(job, user, chunk_size=chunk_size, progress=progress, prepare_ahead=True)
    finally:
        if collecting:
            gc.enable()
    job.elapsed = time.perf_counter() - started
    return job
