"""The RGAA 4.1 audit of the platform, as data, and what follows from it.

Two files in tpj/core/data/rgaa/ hold the facts:

- `criteres-4.1.json`: the 106 criteria of the official referential (copied as data from
  the DINUM repository, see PROVENANCE.md there);
- `audit.json`: our audit — for each criterion its status, how it was checked (automated
  test node ids, manual check and its date), the pages concerned and, for a
  non-conformity, what is not accessible and the planned fix; plus the sample of pages,
  the test environment and the contents outside the audit.

From them, one function computes the compliance rate and the état de conformité (RGAA
method: conformes / (conformes + non conformes), non applicables left out), which the
footer of every page and the accessibility statement (/accessibilite/) show, and
`grid_markdown()` writes docs/accessibilite.md (`manage.py rgaa_grid --write`).
"""

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "rgaa"
REFERENCE_FILE = DATA_DIR / "criteres-4.1.json"
AUDIT_FILE = DATA_DIR / "audit.json"

CONFORME = "conforme"
NON_CONFORME = "non_conforme"
NON_APPLICABLE = "non_applicable"
STATUS_LABELS = {CONFORME: "Conforme", NON_CONFORME: "Non conforme", NON_APPLICABLE: "Non applicable"}

# Every page of the sample: the grid and the statement may say "toutes les pages".
ALL_PAGES = "toutes"


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    url: str
    visitor: str


@dataclass(frozen=True)
class NonConformity:
    description: str  # the contenu non accessible, in French, as the statement prints it
    fix: str  # the planned correction


@dataclass(frozen=True)
class Assessment:
    number: str  # "1.1"
    title: str  # the criterion, from the referential
    wcag: tuple[str, ...]
    status: str  # CONFORME, NON_CONFORME or NON_APPLICABLE
    automated: tuple[str, ...]  # pytest node ids of the tests that check it
    manual: str  # the manual check done ("" when only automated)
    checked_on: date
    pages: tuple[str, ...]  # page keys, or (ALL_PAGES,)
    non_conformity: NonConformity | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Topic:
    number: int
    name: str
    criteria: tuple[Assessment, ...]


@dataclass(frozen=True)
class Compliance:
    conformes: int
    non_conformes: int
    non_applicables: int

    @property
    def applicable(self) -> int:
        return self.conformes + self.non_conformes

    @property
    def rate(self) -> int:
        """Percentage of applicable criteria met, rounded down (never shown above what is met)."""
        return 100 * self.conformes // self.applicable if self.applicable else 100

    @property
    def state(self) -> str:
        """The RGAA état de conformité: totalement (100 %), partiellement (≥ 50 %) or non conforme."""
        if self.conformes == self.applicable:
            return "totalement conforme"
        if 2 * self.conformes >= self.applicable:
            return "partiellement conforme"
        return "non conforme"


@dataclass(frozen=True)
class Audit:
    date: date
    auditor: str
    method: str
    topics: tuple[Topic, ...]
    pages: tuple[Page, ...]
    environment: dict
    not_subject: tuple[str, ...]  # contenus non soumis à l'obligation d'accessibilité
    derogations: tuple[str, ...]  # dérogations pour charge disproportionnée
    outside_sample: tuple[str, ...]  # parts of the service not in the audited sample
    contact: dict

    @property
    def criteria(self) -> list[Assessment]:
        return [criterion for topic in self.topics for criterion in topic.criteria]

    @property
    def non_conformities(self) -> list[Assessment]:
        return [c for c in self.criteria if c.status == NON_CONFORME]

    @property
    def compliance(self) -> Compliance:
        return compliance(self.criteria)

    def page_titles(self, keys) -> list[str]:
        if tuple(keys) == (ALL_PAGES,):
            return ["toutes les pages de l'échantillon"]
        by_key = {page.key: page for page in self.pages}
        return [by_key[key].title for key in keys]


def compliance(assessments) -> Compliance:
    statuses = [a.status for a in assessments]
    return Compliance(
        conformes=statuses.count(CONFORME),
        non_conformes=statuses.count(NON_CONFORME),
        non_applicables=statuses.count(NON_APPLICABLE),
    )


def reference() -> dict:
    """The official criteria: {"topics": [{"number", "name", "criteria": [{"number", "title", "wcag"}]}]}."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def _assessment(criterion: dict, entry: dict, default_date: date) -> Assessment:
    gap = entry.get("non_conformity")
    return Assessment(
        number=criterion["number"],
        title=criterion["title"],
        wcag=tuple(criterion["wcag"]),
        status=entry["status"],
        automated=tuple(entry.get("automated", ())),
        manual=entry.get("manual", ""),
        checked_on=date.fromisoformat(entry["date"]) if "date" in entry else default_date,
        pages=tuple(entry.get("pages", (ALL_PAGES,))),
        non_conformity=NonConformity(gap["description"], gap["fix"]) if gap else None,
    )


def load_audit(reference_data: dict | None = None, audit_data: dict | None = None) -> Audit:
    """The audit joined to the referential; a criterion missing from the audit is a KeyError."""
    reference_data = reference_data if reference_data is not None else reference()
    if audit_data is None:
        audit_data = json.loads(AUDIT_FILE.read_text(encoding="utf-8"))
    audit_date = date.fromisoformat(audit_data["date"])
    entries = audit_data["criteria"]
    topics = tuple(
        Topic(
            number=topic["number"],
            name=topic["name"],
            criteria=tuple(_assessment(c, entries[c["number"]], audit_date) for c in topic["criteria"]),
        )
        for topic in reference_data["topics"]
    )
    return Audit(
        date=audit_date,
        auditor=audit_data["auditor"],
        method=audit_data["method"],
        topics=topics,
        pages=tuple(Page(**page) for page in audit_data["pages"]),
        environment=audit_data["environment"],
        not_subject=tuple(audit_data.get("not_subject", ())),
        derogations=tuple(audit_data.get("derogations", ())),
        outside_sample=tuple(audit_data.get("outside_sample", ())),
        contact=audit_data["contact"],
    )


@cache
def current_audit() -> Audit:
    """The audit as committed (read once per process)."""
    return load_audit()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _how(assessment: Assessment) -> str:
    parts = [f"`{node}`" for node in assessment.automated]
    if assessment.manual:
        parts.append(f"{assessment.manual} ({assessment.checked_on:%d/%m/%Y})")
    return " ; ".join(parts)


def grid_markdown(audit: Audit | None = None) -> str:
    """docs/accessibilite.md: the method, the rate, then the 106 criteria topic by topic."""
    audit = audit or current_audit()
    result = audit.compliance
    env = audit.environment
    lines = [
        "# Accessibilité — grille d'audit RGAA 4.1",
        "",
        "<!-- Fichier généré par `manage.py rgaa_grid --write docs/accessibilite.md` à partir de",
        "     tpj/core/data/rgaa/audit.json : modifier les données, pas ce fichier. -->",
        "",
        f"Audit du {audit.date:%d/%m/%Y}, réalisé par {audit.auditor}. {audit.method}",
        "",
        "## Résultat",
        "",
        f"- Taux de conformité : **{result.rate} %** des critères applicables respectés "
        f"({result.conformes} conformes sur {result.applicable} applicables ; "
        f"{result.non_applicables} non applicables, exclus du calcul).",
        f"- État de conformité : **{result.state}** (méthode RGAA : conformes / (conformes + non conformes) ; "
        "totalement conforme à 100 %, partiellement conforme à partir de 50 %, non conforme en deçà).",
        f"- Non-conformités : {result.non_conformes}, décrites dans la déclaration d'accessibilité (`/accessibilite/`) "
        "et ci-dessous avec la correction prévue.",
        "",
        "## Environnement de test",
        "",
    ]
    lines += [f"- {item}" for item in env["tools"]]
    lines += ["", "## Échantillon de pages", "", "| page | adresse | visiteur |", "|---|---|---|"]
    lines += [f"| {_cell(p.title)} | `{p.url}` | {_cell(p.visitor)} |" for p in audit.pages]
    if audit.outside_sample:
        lines += ["", "Hors échantillon :", ""] + [f"- {item}" for item in audit.outside_sample]
    for topic in audit.topics:
        counts = compliance(topic.criteria)
        lines += [
            "",
            f"## {topic.number}. {topic.name}",
            "",
            f"{counts.conformes} conforme(s), {counts.non_conformes} non conforme(s), "
            f"{counts.non_applicables} non applicable(s).",
            "",
            "| n° | critère | statut | vérification | pages |",
            "|---|---|---|---|---|",
        ]
        for c in topic.criteria:
            status = c.status_label
            if c.non_conformity:
                status += f" — {c.non_conformity.description} Correction prévue : {c.non_conformity.fix}"
            lines.append(
                f"| {c.number} | {_cell(c.title)} | {_cell(status)} | {_cell(_how(c))} | "
                f"{_cell(', '.join(audit.page_titles(c.pages)))} |"
            )
    return "\n".join(lines) + "\n"
