"""The rows of an import file: columns, checks and table rows, without any database write.

Each row is checked (a French error per row, in the job's report) and a valid row becomes
the table rows of an entry in state "submitted", located at its commune's centre. A
moderator's import creates entries only in its territory: every other row is refused,
with the reason (`permissions.import_territory`; administrators are not limited).
"""

import re
from typing import NamedTuple

from tpj.core.text import CONTROL_CHARACTERS, LINE_BREAKS, clean, control_message, first_control, normalize
from tpj.nomenclatures.models import Category, EligibilitySituation, EntryKind, Priority
from tpj.territories.models import Commune, Departement

from .. import bulk
from ..identifiers import check_contact, check_reference, normalise_reference
from ..models import ContactChannel, ReferenceType, State, TrustingBodyKind, build_search_text

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
YES = {"oui", "o", "yes", "1", "true", "vrai", "x"}
CONTACT_COLUMNS = ((ContactChannel.Kind.EMAIL, "email"), (ContactChannel.Kind.PHONE, "telephone"))
# Enum `.values` builds a new list on each access: computed once for the per-row checks.
BODY_KINDS = frozenset(TrustingBodyKind.values)
REFERENCE_TYPES = frozenset(ReferenceType.values)
# Any character `clean` would change, in any column: almost every row has none, and is then
# searched once as a whole instead of cell by cell (a third of a row's preparation).
_ANYTHING_TO_CLEAN = re.compile(f"{CONTROL_CHARACTERS.pattern}|{LINE_BREAKS.pattern}")


def normalise_header(name: str) -> str:
    return normalize(name or "").replace(" ", "_")


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
        # one set lookup, and checking a chunk needs no database.
        self.territory = None
        self.departement_names = {}
        if scope is not None:
            self.territory = frozenset(code for code, c in self.communes.items() if scope.covers(region=c[3], departement=c[2]))
            self.departement_names = dict(Departement.objects.values_list("code", "name"))
        self.categories = {c.slug: c for c in Category.objects.all()}
        self.kinds = {k.slug: k for k in EntryKind.objects.all()}
        self.kinds.update({normalise_header(k.label): k for k in EntryKind.objects.all()})
        self.priorities = {p.number: p for p in Priority.objects.all()}
        self.situations = {s.number: s for s in EligibilitySituation.objects.all()}


class RowErrors(ValueError):
    """The French errors of a row (`args[0]`); `outside`: its commune is outside the import's territory."""

    def __init__(self, errors: list[str], outside: bool = False):
        super().__init__(errors)
        self.outside = outside


class _Cells(dict):
    """A row's cleaned cells: an absent column reads as empty."""

    def __missing__(self, key):
        return ""


def clean_cells(row: dict) -> tuple[dict, list[str]]:
    """The row's cells stripped, without control characters (tpj.core.text), and a French
    error for each cell that had one: such a row is refused, with the column named.

    Tabs and line breaks are kept in the description, replaced by a space elsewhere. (NUL
    characters, encoding junk, are already dropped by the CSV reader.)"""
    try:
        whole = "".join(row.values())
    except TypeError:  # extra cells (a list) or missing ones (None): cell by cell below
        pass
    else:  # printable text has no control character nor line break (the common case, at once)
        if whole.isprintable() or not _ANYTHING_TO_CLEAN.search(whole):
            return _Cells(zip(row, map(str.strip, row.values()), strict=True)), []
    cleaned, errors = _Cells(), []
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
    get = cleaned.__getitem__
    name = get("nom")
    if not name:
        errors.append("le nom est vide")
    elif len(name) > 200:
        errors.append(f"le nom dépasse 200 caractères ({len(name)})")
    kind = ref.kinds.get(get("type")) or ref.kinds.get(normalise_header(get("type")))
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
    contacts = []
    for kind_, column in CONTACT_COLUMNS:
        if value := get(column):
            if message := check_contact(kind_, value):
                errors.append(f"colonne « {column} » : {message[0].lower()}{message[1:].rstrip('.')}")
            contacts.append((kind_, value))
    if errors:
        raise RowErrors(errors, outside)
    public = get("contacts_publics").lower() in YES
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


class PreparedRow(NamedTuple):
    """A CSV row checked and turned into table rows, before it gets an id (a tuple: cheaper
    to build than a dataclass, for millions of rows)."""

    line: int
    external_id: str
    errors: list[str]  # French messages, none when the row is valid
    # The table rows without their first column (the entry's id), each a tuple of values,
    # or its bytes for binary COPY when checked ahead for PostgreSQL (`chunks._row_encoder`).
    entry: tuple | bytes = ()  # registry_entry row
    priorities: tuple = ()  # (priority id, description) pairs
    situation: tuple | bytes = ()  # registry_entrysituation row
    contacts: tuple = ()  # (kind, value, is_public) triples
    outside: bool = False  # refused: outside the import's territory (even when already imported)


def prepare_chunk(chunk, ref: ReferenceData, source: str, now) -> list[PreparedRow]:
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
        kind_id=fields["kind"].id,
        category_id=fields["category"].id,
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
        priorities=tuple((ref.priorities[n].id, description) for n in numbers),
        situation=(
            situation["situation"].id,
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
