"""The selection committee's files of a call, prepared by the workers (declared in
tpj.calls.downloads):

- the full export of its applications, one row each: identity and request (the carrier's
  identity as read in the Sirene register, services.carrier), the answers to the
  call's own questions, the automatic eligibility checks, each juror's score per criterion and
  weighted score, the mean (all jurors, funders, operators), the spread (standard deviation)
  and the decision — the jurors named (managers' version) or numbered « Juré 1 », « Juré 2 »…
  in the order they were seated (the version handed to the jury); as XLSX or CSV through the
  project's one export writer (tpj.core.exports: no cell is ever a live formula);
- a ZIP of the attachments of chosen applications (their attachments and the files given for
  the call's questions and required documents), one folder per application, safe file names.

The rows are read in batches of `BATCH` applications (a few queries each): 1,000 applications
scored by 12 jurors are written in a few seconds (`manage.py bench --only calls`).
"""

import itertools
import statistics
import zipfile
from decimal import Decimal

from django.utils import timezone

from tpj.core.exports import xlsx_bytes
from tpj.core.uploads import safe_file_name

from .models import Application, ApplicationAnswer, Attachment, Call, CallQuestion, CriterionScore, JuryMember, ScoreSheet
from .services.checks import eligibility_checks
from .services.jury import means_by_kind

BATCH = 200
VERSIONS = {"jury": "pour le jury", "gestion": "des gestionnaires"}
RECUSED, NOT_SUBMITTED, NOT_APPLICABLE = "récusé(e)", "non validée", "sans objet"
TWO_PLACES = Decimal("0.01")


SIRENE_HEADERS = [
    "raison sociale (Sirene)",
    "adresse (Sirene)",
    "forme juridique (Sirene)",
    "activité principale (Sirene)",
    "établissement fermé (Sirene)",
]


def sirene_cells(app: Application) -> list:
    """The carrier's identity stored from the Sirene register (services.carrier); blank when none was found."""
    if app.carrier_identity_at is None:
        return [""] * len(SIRENE_HEADERS)
    return [
        app.carrier_legal_name,
        app.carrier_address,
        app.carrier_legal_form,
        app.carrier_activity,
        "oui" if app.carrier_closed else "non",
    ]


def juror_names(call: Call, anonymise: bool) -> list[tuple[int, str]]:
    """(member id, how the export names the juror), in the order the jurors were seated."""
    members = call.jury.select_related("user__organisation").order_by("pk")
    if anonymise:
        return [(m.pk, f"Juré {number}") for number, m in enumerate(members, start=1)]
    return [
        (
            m.pk,
            f"{m.user.get_full_name() or m.user.email} ({m.user.organisation or 'sans organisation'}, {m.get_kind_display().lower()})",
        )
        for m in members
    ]


def question_columns(call: Call) -> list[tuple[CallQuestion, str]]:
    """(question, column header) of the call's own questions (tpj.calls.models.questions)."""
    return [(q, f"Question : {q.label}") for q in call.questions.order_by("position", "pk")]


def _applications(call: Call):
    field = call.definition.reference.field  # the national list the eligibility checks read
    apps = list(
        call.applications.exclude(state=Application.State.DRAFT)
        .select_related("organisation")
        .prefetch_related("places", "call_axes__national_axes", f"call_axes__{field}", "requests__envelope", "cofinancings")
        .order_by("reference")
    )
    for app in apps:
        app.call = call  # one call object for the checks of every application
        # the attachments read from the prefetch: `eligibility_checks` would query them once per application
        attached = {item.pk for ca in app.call_axes.all() for item in getattr(ca, field).all()}
        app.attached_reference_ids = lambda attached=attached: attached
    return apps


def _answers(ids, questions: dict) -> dict[tuple[int, int], object]:
    """{(application id, question id): the answer's spreadsheet value}; `questions` by id (each
    answer is given its question object rather than a copy of it per row)."""
    answers = ApplicationAnswer.objects.filter(application_id__in=ids, question_id__in=questions).only(
        "application_id", "question_id", "document_id", "text", "number", "date", "choices", "yes", "file_name"
    )
    values = {}
    for answer in answers:
        answer.question = questions[answer.question_id]
        values[(answer.application_id, answer.question_id)] = answer.export_value
    return values


def _sheets(ids) -> dict[int, dict[int, dict]]:
    """{application id: {member id: sheet}} with each validated sheet's scores per criterion."""
    sheets = {}
    by_id = {}
    for row in ScoreSheet.objects.filter(application_id__in=ids).values(
        "pk", "application_id", "member_id", "auto_recused", "has_conflict", "submitted_at", "weighted_score"
    ):
        row["scores"] = {}
        sheets.setdefault(row["application_id"], {})[row["member_id"]] = by_id[row["pk"]] = row
    for sheet_id, criterion_id, value, not_applicable in CriterionScore.objects.filter(
        sheet__application_id__in=ids, sheet__submitted_at__isnull=False
    ).values_list("sheet_id", "criterion_id", "value", "not_applicable"):
        by_id[sheet_id]["scores"][criterion_id] = NOT_APPLICABLE if not_applicable else value
    return sheets


def _score_cells(sheet, criteria) -> list:
    if sheet is None:
        return [None] * (len(criteria) + 1)
    if sheet["auto_recused"] or sheet["has_conflict"]:
        return [RECUSED] * (len(criteria) + 1)
    if sheet["submitted_at"] is None:
        return [NOT_SUBMITTED] * (len(criteria) + 1)
    return [sheet["scores"].get(c.pk) for c in criteria] + [sheet["weighted_score"]]


def _spread(values: list[Decimal]) -> Decimal | None:
    """The standard deviation of the jurors' weighted scores (population: the jury is all of it)."""
    return Decimal(statistics.pstdev(values)).quantize(TWO_PLACES) if values else None


def committee_table(call: Call, *, anonymise: bool):
    """(header, rows) of the full export of `call`'s applications (drafts left out); the rows
    are a generator reading the applications in batches."""
    criteria = list(call.criteria.order_by("position", "pk"))
    jurors = juror_names(call, anonymise)
    questions = question_columns(call)
    agencies = call.agencies
    applications = _applications(call)
    check_labels = [c.label for c in eligibility_checks(applications[0])] if applications else []

    header = [
        "référence",
        "projet",
        "structure porteuse",
        "SIRET",
        *SIRENE_HEADERS,
        "déposée le",
        "état",
        "axes nationaux",
        "lieux d'action",
        "budget total (€)",
        "co-financements (€)",
        *[f"demandé {agency} (€)" for agency in agencies],
        *[header for _, header in questions],
        *[f"Recevabilité : {label}" for label in check_labels],
        *[cell for _, name in jurors for cell in [*(f"{name} — {c.label}" for c in criteria), f"{name} — note pondérée /20"]],
        *[f"moyenne — {c.label}" for c in criteria],
        "notes validées",
        "moyenne /20",
        "moyenne des financeurs /20",
        "moyenne des opérateurs /20",
        "écart type",
        "décision",
        "motif de la décision",
        *[f"attribué {agency} (€)" for agency in agencies],
        "total attribué (€)",
    ]

    def rows():
        for start in range(0, len(applications), BATCH):
            batch = applications[start : start + BATCH]
            ids = [a.pk for a in batch]
            answers, sheets, means = _answers(ids, {q.pk: q for q, _ in questions}), _sheets(ids), means_by_kind(ids)
            for app in batch:
                yield _row(app, answers, sheets.get(app.pk, {}), means.get(app.pk, {}))

    def _row(app, answers, sheets, means):
        requested = {r.envelope.agency: r.amount_requested for r in app.requests.all()}
        allocated = {r.envelope.agency: r.amount_allocated for r in app.requests.all()}
        checks = {
            c.label: ("conforme" if c.ok else f"non conforme{' — ' + c.detail if c.detail else ''}")
            for c in eligibility_checks(app)
        }
        validated = [s for s in sheets.values() if s["submitted_at"] and not (s["auto_recused"] or s["has_conflict"])]
        weighted = [s["weighted_score"] for s in validated if s["weighted_score"] is not None]
        criterion_means = []
        for criterion in criteria:
            values = [s["scores"].get(criterion.pk) for s in validated]
            values = [v for v in values if isinstance(v, int)]
            criterion_means.append(Decimal(statistics.fmean(values)).quantize(TWO_PLACES) if values else None)
        decided = app.state in Application.DECIDED_STATES
        return [
            app.reference,
            app.title,
            app.organisation.name,
            app.carrier_siret,
            *sirene_cells(app),
            timezone.localtime(app.submitted_at) if app.submitted_at else None,
            app.get_state_display(),
            ", ".join(f"Axe {n}" for n in sorted({a.number for ca in app.call_axes.all() for a in ca.national_axes.all()})),
            ", ".join(p.name for p in app.places.all()),
            app.budget_total,
            app.cofinancing_total(),
            *[requested.get(agency) for agency in agencies],
            *[answers.get((app.pk, question.pk)) for question, _ in questions],
            *[checks.get(label, "") for label in check_labels],
            *itertools.chain.from_iterable(_score_cells(sheets.get(member_id), criteria) for member_id, _ in jurors),
            *criterion_means,
            len(weighted),
            app.mean_score,
            means.get(JuryMember.Kind.FUNDER),
            means.get(JuryMember.Kind.OPERATOR),
            _spread(weighted),
            app.get_state_display() if decided else "",
            app.decision_reason if decided else "",
            *[allocated.get(agency) if decided else None for agency in agencies],
            app.allocated_total() if decided else None,
        ]

    return header, rows()


def xlsx_chunks(header, rows, *, title: str):
    """The pieces of an XLSX file for a prepared download: an empty piece per row gathered (the
    job counts its rows and renews its lease on them), then the workbook in one piece."""
    kept = []
    for row in rows:
        kept.append(row)
        yield b""
    yield xlsx_bytes(header, kept, title=title)


# -- The ZIP of attachments -----------------------------------------------------------------


class _Pipe:
    """A write-only stream: the ZIP writer appends to it, the builder takes what was written
    after each file (zipfile writes data descriptors on a stream it cannot seek)."""

    def __init__(self):
        self.buffer = bytearray()

    def write(self, data):
        self.buffer += data
        return len(data)

    def flush(self):
        pass

    def take(self) -> bytes:
        data, self.buffer = bytes(self.buffer), bytearray()
        return data


def attachment_files(application_ids) -> list[tuple[Application, str, object]]:
    """(application, label, stored file) of every file given with the applications: their
    attachments, then the files answering the call's questions and required documents."""
    apps = {a.pk: a for a in Application.objects.filter(pk__in=application_ids).order_by("reference")}
    attachments = Attachment.objects.filter(application_id__in=apps).order_by("application_id", "pk")
    files = [(apps[a.application_id], a.label, a.file) for a in attachments]
    answers = (
        ApplicationAnswer.objects.filter(application_id__in=apps)
        .exclude(file="")
        .select_related("question", "document")
        .order_by("application_id", "pk")
    )
    files += [(apps[a.application_id], (a.document or a.question).label, a.file) for a in answers]
    return sorted(files, key=lambda f: f[0].reference)


def zip_entry_name(reference: str, number: int, label: str, stored_name: str) -> str:
    """« AAP2026-53-0001/03 Budget prévisionnel.pdf »: one folder per application, numbered so
    that two pieces of the same label never overwrite each other, the stored file's extension."""
    extension = stored_name.rsplit(".", 1)[-1].lower() if "." in stored_name else ""
    name = safe_file_name(label, default="piece")
    if extension and not name.lower().endswith(f".{extension}"):
        name = f"{name}.{extension}"
    return f"{safe_file_name(reference, default='candidature')}/{number:02d} {name}"


def zip_chunks(application_ids):
    """The ZIP's pieces: one per file added (its compressed bytes), then the central directory."""
    pipe = _Pipe()
    missing = []
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        numbers = {}
        for app, label, stored in attachment_files(application_ids):
            numbers[app.pk] = number = numbers.get(app.pk, 0) + 1
            entry = zip_entry_name(app.reference, number, label, stored.name)
            try:
                with stored.open("rb") as source, archive.open(entry, "w", force_zip64=True) as target:
                    for block in iter(lambda: source.read(1024 * 1024), b""):
                        target.write(block)
            except FileNotFoundError:
                missing.append(entry)
            yield pipe.take()
        if missing:
            archive.writestr(
                "fichiers manquants.txt",
                "Ces pièces sont introuvables dans le stockage de la plateforme :\n" + "\n".join(missing) + "\n",
            )
    yield pipe.take()
