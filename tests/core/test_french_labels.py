"""What users read is French, from one place each (issue 14): the audit actions and states
of the histories, the personal-data register, the application counts of a call, and the
tables' keyboard-reachable scroll regions (the browser gate, tests/browser/
test_accessibility_gate.py, checks the rendered pages)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError

from tests.factories import UserFactory
from tests.registry.factories import EntryFactory
from tpj.audit.labels import ACTION_LABELS
from tpj.audit.models import AuditEvent
from tpj.audit.services import record
from tpj.calls.models import ApplicationState
from tpj.calls.templatetags.calls_tags import application_counts
from tpj.calls.workflows import APPLICATION_WORKFLOW, CALL_WORKFLOW
from tpj.registry.models import State
from tpj.registry.workflow import ENTRY_WORKFLOW

TPJ = Path(settings.BASE_DIR) / "tpj"
ACTION_LITERAL = re.compile(r"""action=["']([a-z_]+(?:\.[a-z_]+)+)["']""")


def recorded_actions() -> set[str]:
    """Every action the code records: literals given to `record`, and the workflows' transitions."""
    actions = set()
    for path in TPJ.rglob("*.py"):
        if "migrations" not in path.parts:
            actions.update(ACTION_LITERAL.findall(path.read_text(encoding="utf-8")))
    for workflow in (CALL_WORKFLOW, APPLICATION_WORKFLOW, ENTRY_WORKFLOW):
        actions.update(f"{workflow.name}.{t.name}" for t in workflow.transitions)
    actions.add("calls.call.defined")  # record_call_change(call, user, "defined")
    return actions


def test_every_recorded_audit_action_has_a_french_label():
    missing = sorted(recorded_actions() - set(ACTION_LABELS))
    assert not missing, f"Add a French label to tpj/audit/labels.py for: {', '.join(missing)}"


@pytest.mark.django_db
def test_a_history_reads_french_actions_and_states():
    entry = EntryFactory(state=State.SUBMITTED)
    record(actor=None, obj=entry, action="registry.demo_created", to_state=State.SUBMITTED)
    record(actor=None, obj=entry, action="registry.verify", from_state=State.SUBMITTED, to_state=State.VERIFIED)
    record(actor=None, obj=entry, action="registry.reject.refused", from_state=State.VERIFIED)
    created, verified, refused = AuditEvent.objects.for_object(entry).order_by("pk")
    assert created.action_label == "Création de la fiche de démonstration"
    assert (verified.action_label, verified.from_state_label, verified.to_state_label) == (
        "Vérification et publication",
        "En attente de vérification",
        "Vérifiée",
    )
    assert refused.action_label == "Refus" and refused.is_refusal


@pytest.mark.django_db
def test_the_personal_data_register_shows_french_names(client):
    user = UserFactory()
    client.force_login(user)
    html = client.get("/mes-donnees/").content.decode()
    assert "Inscrit le" in html and "Organisme qui vous fait confiance" in html
    assert "accounts.User.date_joined" not in html and "trusting_body_name" not in html
    assert "DRAFT_RETENTION_DAYS" not in html
    assert f"purgés après {settings.DRAFT_RETENTION_DAYS} jours" in html


def test_application_counts_read_french_with_plurals():
    A = ApplicationState
    assert application_counts({A.DRAFT: 1, A.SUBMITTED: 1}) == "1 brouillon, 1 déposée, en instruction"
    assert application_counts({A.WAITING_LIST: 1, A.LAUREATE: 2}) == "2 lauréates, 1 en liste d'attente"
    assert application_counts({}) == "aucune"


def test_a_table_scrolls_in_a_keyboard_reachable_region_named_by_its_caption():
    html = Template(
        "{% load tables %}{% table hide_caption=True classes='tpj-table-numbers' %}"
        "<caption>Enveloppes</caption><tbody><tr><td>1</td></tr></tbody>{% endtable %}"
    ).render(Context())
    region = re.search(r'<div class="fr-table__container"([^>]*)>', html).group(1)
    assert 'tabindex="0"' in region and 'role="region"' in region
    labelled_by = re.search(r'aria-labelledby="([^"]+)"', region).group(1)
    assert f'<caption id="{labelled_by}">Enveloppes</caption>' in html
    assert 'class="fr-table fr-table--no-caption tpj-table-numbers"' in html


def test_a_table_without_caption_is_refused():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load tables %}{% table %}<tbody></tbody>{% endtable %}").render(Context())


def test_every_table_of_the_site_goes_through_the_table_tag():
    """A table written by hand would miss the keyboard-reachable scroll region (a table the
    DSFR never scrolls, `fr-table--no-scroll`, may stay as it is)."""
    templates = TPJ / "templates"
    by_hand = []
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        tables = len(re.findall(r"<table[\s>]", text)) - text.count("fr-table--no-scroll")
        if path.name != "table.html" and tables > 0:
            by_hand.append(str(path.relative_to(templates)))
    assert not by_hand, f"Use {{% table %}} (tpj/core/templatetags/tables.py) in: {', '.join(sorted(by_hand))}"


def test_technical_names_in_french_prose_are_marked_as_english_code():
    from tpj.core.templatetags.technical import technical_terms

    html = technical_terms('Ajouter autocomplete="email" et required ; réglage SESSION_COOKIE_AGE. <b>')
    assert html == (
        'Ajouter <code lang="en">autocomplete=&quot;email&quot;</code> et <code lang="en">required</code> ; '
        'réglage <code lang="en">SESSION_COOKIE_AGE</code>. &lt;b&gt;'
    )
    assert technical_terms("Le titre et la langue de la page") == "Le titre et la langue de la page"
