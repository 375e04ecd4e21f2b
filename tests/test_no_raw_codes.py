"""No code where a person reads French (issue 18 §4): the pages that show states, transitions,
counts and histories are rendered and their visible text searched for an action's code
(« calls.call.transmit ») or a state's stored value (« laureates_decided »); every action the
code records has its French label in tpj/audit/labels.py, whatever workflow declares it."""

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from tests.calls.factories import decided_call
from tests.factories import user_with_role
from tests.registry.factories import EntryFactory
from tpj.accounts.models import Role
from tpj.audit.labels import ACTION_LABELS
from tpj.audit.services import record
from tpj.calls.models import Application
from tpj.calls.services.calls import transmit
from tpj.core.workflow import all_workflows
from tpj.registry.models import State

TPJ = Path(settings.BASE_DIR) / "tpj"
ACTION_LITERAL = re.compile(r"""action=["']([a-z_]+(?:\.[a-z_]+)+)["']""")
# record_call_change(call, user, "defined"): recorded as "calls.call.defined".
CALL_CHANGE = re.compile(r"""record_call_change\(\s*[^,]+,\s*[^,]+,\s*["']([a-z_]+)["']""")


def recorded_actions() -> set[str]:
    """Every action recorded anywhere in tpj/: the literals given to `record` (and to
    `record_call_change`), and every transition of every declared workflow."""
    actions = set()
    for path in TPJ.rglob("*.py"):
        if "migrations" not in path.parts:
            text = path.read_text(encoding="utf-8")
            actions.update(ACTION_LITERAL.findall(text))
            actions.update(f"calls.call.{what}" for what in CALL_CHANGE.findall(text))
    for workflow in all_workflows():
        actions.update(f"{workflow.name}.{t.name}" for t in workflow.transitions)
    return actions


def state_values() -> set[str]:
    """The stored value of every state of every workflow (English, never shown)."""
    return {str(s) for w in all_workflows() for t in w.transitions for s in (*t.sources, t.target)}


PREFIXES = sorted({action.split(".", 1)[0] for action in recorded_actions()})
ACTION_CODE = re.compile(rf"\b(?:{'|'.join(PREFIXES)})(?:\.[a-z_]+)+\b")


class _VisibleText(HTMLParser):
    """The text a person reads or hears: text nodes (not scripts nor styles) and the labels of
    attributes that assistive technologies read."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [value or "" for name, value in attrs if name in ("title", "aria-label", "alt", "placeholder")]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def raw_codes(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    states = state_values()
    return ACTION_CODE.findall(text) + [word for word in re.findall(r"\b[a-z_]+\b", text) if word in states]


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_every_recorded_action_has_a_french_label():
    missing = sorted(recorded_actions() - set(ACTION_LABELS))
    assert not missing, f"Add a French label to tpj/audit/labels.py for: {', '.join(missing)}"


def test_the_detector_finds_codes_and_states_in_the_visible_text_only():
    assert raw_codes("<p>calls.call.transmit (laureates_decided → transmitted)</p>") == [
        "calls.call.transmit",
        "laureates_decided",
        "transmitted",
    ]
    assert raw_codes('<p data-state="draft">Brouillon</p><script>let s = "registry.submit";</script>') == []


@pytest.mark.django_db
def test_the_call_panel_and_an_application_read_french_states_and_counts(client):
    call, apps = decided_call()  # two laureates, two not retained
    Application.objects.filter(pk=apps[3].pk).update(state=Application.State.DRAFT)  # (as a draft reads)
    panel = _page(client, call.manager, reverse("calls:call-detail", args=[call.pk]))
    assert "Candidatures : 1 brouillon, 2 lauréates, 1 non retenue." in panel
    assert raw_codes(panel) == []
    detail = _page(client, call.manager, reverse("calls:application-detail", args=[apps[0].pk]))
    assert raw_codes(detail) == []


@pytest.mark.django_db
def test_the_audit_log_and_its_export_read_french_labels(client):
    call, _ = decided_call()
    transmit(call, call.manager)
    admin = user_with_role(Role.ADMINISTRATOR)
    log = _page(client, admin, reverse("audit:log"))
    assert "Transmission de la liste des lauréats" in log and "Lauréats désignés → Liste des lauréats transmise" in log
    assert raw_codes(log) == []

    response = client.get(reverse("audit:export"))
    content = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert header[2:9] == ["type d'objet", "identifiant", "objet", "action", "code de l'action", "état avant", "état après"]
    (transmitted,) = [row for row in rows if row[6] == "calls.call.transmit"]
    assert transmitted[2] == "appel à projets" and transmitted[5] == "Transmission de la liste des lauréats"
    assert transmitted[7:9] == ["Lauréats désignés", "Liste des lauréats transmise"]


@pytest.mark.django_db
def test_an_entry_history_reads_french_actions_and_states(client):
    entry = EntryFactory(state=State.SUBMITTED)
    record(actor=None, obj=entry, action="registry.submit", from_state=State.DRAFT, to_state=State.SUBMITTED)
    record(actor=None, obj=entry, action="registry.verify.refused", from_state=State.VERIFIED, reason="Déjà vérifiée")
    page = _page(client, user_with_role(Role.ADMINISTRATOR), reverse("registry:moderate", args=[entry.pk]))
    assert "Soumission à vérification (« Brouillon » → « En attente de vérification »)" in page
    assert raw_codes(page) == []


def test_a_qualitative_measure_reads_its_count_without_a_wrong_plural():
    html = render_to_string(
        "valorisation/_progress.html",
        {"stats": {"value": 1, "target": None, "percent": None}, "measure": {"unit": "actions enregistrées"}},
    )
    assert "Suivi qualitatif — actions enregistrées : 1" in html and "1 actions" not in html
