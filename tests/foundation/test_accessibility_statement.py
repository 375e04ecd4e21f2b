"""The RGAA 4.1 audit (issue 14): one set of data, the grid in docs/accessibilite.md, the
statement at /accessibilite/ and the footer's état de conformité all agree with it."""

import ast
import copy
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.html import escape

from tpj.core import accessibility
from tpj.core.accessibility import (
    ALL_PAGES,
    AUDIT_FILE,
    CONFORME,
    NON_APPLICABLE,
    NON_CONFORME,
    Compliance,
    current_audit,
    grid_markdown,
    load_audit,
)
from tpj.core.templatetags.technical import technical_terms

ROOT = Path(settings.BASE_DIR)
GRID = ROOT / "docs" / "accessibilite.md"


def _audit_data() -> dict:
    return json.loads(AUDIT_FILE.read_text(encoding="utf-8"))


def _test_node_ids(path: Path) -> set[str]:
    """The pytest node ids (without parameters) of the test functions a file defines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    relative = path.relative_to(ROOT).as_posix()
    ids = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            ids.add(f"{relative}::{node.name}")
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith("test"):
                    ids.add(f"{relative}::{node.name}::{item.name}")
    return ids


def test_the_audit_covers_exactly_the_106_criteria_of_the_referential():
    reference_numbers = [c["number"] for topic in accessibility.reference()["topics"] for c in topic["criteria"]]
    assert len(reference_numbers) == 106
    assert [t["number"] for t in accessibility.reference()["topics"]] == list(range(1, 14))
    assert sorted(_audit_data()["criteria"], key=lambda n: tuple(map(int, n.split(".")))) == reference_numbers
    assert [c.number for c in current_audit().criteria] == reference_numbers


def test_a_criterion_missing_from_the_audit_is_refused():
    data = _audit_data()
    del data["criteria"]["8.5"]
    with pytest.raises(KeyError):
        load_audit(audit_data=data)


def test_every_criterion_has_a_valid_status_a_method_and_known_pages():
    audit = current_audit()
    page_keys = {page.key for page in audit.pages} | {ALL_PAGES}
    for criterion in audit.criteria:
        assert criterion.status in (CONFORME, NON_CONFORME, NON_APPLICABLE), criterion.number
        assert criterion.automated or criterion.manual, f"{criterion.number} : ni test automatisé ni vérification manuelle"
        assert criterion.pages and set(criterion.pages) <= page_keys, criterion.number
        if criterion.status == NON_CONFORME:
            assert criterion.non_conformity and criterion.non_conformity.description and criterion.non_conformity.fix
        else:
            assert criterion.non_conformity is None, f"{criterion.number} : une non-conformité sur un critère {criterion.status}"
        if criterion.status == CONFORME and not criterion.automated:
            assert criterion.manual, criterion.number


def test_every_cited_automated_test_exists():
    cited = {node for criterion in current_audit().criteria for node in criterion.automated}
    assert cited, "aucun critère n'est rattaché à un test automatisé"
    known = set()
    for path in {ROOT / node.split("::")[0] for node in cited}:
        assert path.is_file(), f"{path} n'existe pas"
        known |= _test_node_ids(path)
    assert cited <= known, f"tests introuvables : {sorted(cited - known)}"


@pytest.mark.parametrize(
    "conformes, non_conformes, non_applicables, rate, state",
    [
        (50, 0, 56, 100, "totalement conforme"),
        (50, 50, 6, 50, "partiellement conforme"),
        (49, 51, 6, 49, "non conforme"),
        (2, 1, 103, 66, "partiellement conforme"),  # rounded down: 66.7 % shows as 66 %
        (0, 0, 106, 100, "totalement conforme"),
    ],
)
def test_the_rate_leaves_out_non_applicable_criteria(conformes, non_conformes, non_applicables, rate, state):
    result = Compliance(conformes=conformes, non_conformes=non_conformes, non_applicables=non_applicables)
    assert (result.rate, result.state) == (rate, state)


def test_the_rate_follows_the_data():
    data = _audit_data()
    before = load_audit(audit_data=copy.deepcopy(data)).compliance
    conforme = next(number for number, entry in data["criteria"].items() if entry["status"] == CONFORME)
    data["criteria"][conforme] = {
        "status": NON_APPLICABLE,
        "manual": "aucun contenu concerné",
        "pages": [ALL_PAGES],
    }
    after = load_audit(audit_data=data).compliance
    assert (after.conformes, after.non_applicables) == (before.conformes - 1, before.non_applicables + 1)


def test_the_grid_in_docs_is_up_to_date_with_the_data():
    assert GRID.read_text(encoding="utf-8") == grid_markdown(), (
        "docs/accessibilite.md ne correspond plus à tpj/core/data/rgaa/audit.json : "
        "lancez `manage.py rgaa_grid --write docs/accessibilite.md`"
    )


def test_the_grid_lists_every_criterion_with_its_status_and_the_rate():
    text = grid_markdown()
    audit = current_audit()
    for criterion in audit.criteria:
        row = re.search(rf"^\| {re.escape(criterion.number)} \|(.*)$", text, re.MULTILINE)
        assert row, criterion.number
        assert criterion.status_label in row.group(1)
    assert f"**{audit.compliance.rate} %**" in text
    assert f"**{audit.compliance.state}**" in text


def test_the_command_writes_the_grid(tmp_path):
    target = tmp_path / "grille.md"
    out = StringIO()
    call_command("rgaa_grid", "--write", str(target), stdout=out)
    assert target.read_text(encoding="utf-8") == grid_markdown()
    assert "106 critères" in out.getvalue()


@pytest.mark.django_db
def test_the_statement_shows_the_rate_and_every_non_conformity(client):
    audit = current_audit()
    result = audit.compliance
    body = client.get("/accessibilite/").content.decode()
    assert f"<strong>{result.rate} %</strong> des critères du RGAA version 4.1 sont respectés" in body
    assert f"est <strong>{result.state}</strong> avec le référentiel" in body
    assert audit.non_conformities, "l'audit ne relève aucune non-conformité : vérifier ce test"
    for criterion in audit.non_conformities:
        # Technical names in the text are marked up as code (`technical_terms`): compare the words.
        assert f"Critère {criterion.number}</strong> — {technical_terms(criterion.non_conformity.description)}" in body
        assert technical_terms(criterion.non_conformity.fix) in body
    for heading in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d'accessibilité",
        "Voies de recours",
    ):
        assert heading in body
    assert "Libre réponse 71120" in body and "75342 Paris CEDEX 07" in body
    for page in audit.pages:
        assert escape(page.url) in body


@pytest.mark.django_db
def test_the_footer_shows_the_computed_state(client, monkeypatch):
    state = current_audit().compliance.state
    assert f"Accessibilité : {state}</a>" in client.get("/").content.decode()
    data = _audit_data()
    for entry in data["criteria"].values():
        if entry["status"] == NON_CONFORME:
            entry["status"] = CONFORME
            del entry["non_conformity"]
    monkeypatch.setattr("tpj.core.context_processors.current_audit", lambda: load_audit(audit_data=data))
    assert "Accessibilité : totalement conforme</a>" in client.get("/mentions-legales/").content.decode()
