"""Every transition of every workflow says who is told (or, explicitly, nobody), with a
policy action that exists; and docs/domain.md lists every kind of notification."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import get_resolver

from tpj.core import policy
from tpj.core.workflow import all_workflows
from tpj.notifications import kinds

DOMAIN = Path(settings.BASE_DIR) / "docs" / "domain.md"


def app_workflows():
    """The apps' workflows (each one's name starts with its app's label), all of them loaded
    (the URLs import every view, hence every service and workflow)."""
    get_resolver().url_patterns  # noqa: B018
    labels = {config.label for config in apps.get_app_configs() if config.name.startswith("tpj.")}
    return [workflow for workflow in all_workflows() if workflow.name.split(".")[0] in labels]


def test_the_registry_and_calls_workflows_are_listed():
    names = {workflow.name for workflow in app_workflows()}
    assert {"registry", "registry.review", "calls.call", "calls.application"} <= names


def test_every_transition_declares_who_is_told():
    undeclared = [
        f"{workflow.name}.{transition.name}"
        for workflow in app_workflows()
        for transition in workflow.transitions
        if transition.notifies is None
    ]
    assert undeclared == [], "Declare `notifies=(Recipients(…),)` or `notifies=NOBODY` (with why) on: " + ", ".join(undeclared)


def test_each_recipient_is_checked_by_a_known_policy_action_and_the_kind_is_declared():
    known = set(policy.actions())
    for workflow in app_workflows():
        for transition in workflow.transitions:
            for recipients in transition.notifies or ():
                assert recipients.may_see in known, f"{workflow.name}.{transition.name}: {recipients.may_see}"
                assert recipients.label and callable(recipients.resolve) and callable(recipients.url)
                kinds.get(f"{workflow.name}.{transition.name}")


def test_the_domain_documentation_lists_every_kind():
    text = DOMAIN.read_text(encoding="utf-8")
    missing = [kind.key for kind in kinds.all_kinds() if f"`{kind.key}`" not in text]
    assert missing == [], "docs/domain.md, « Qui est notifié » : " + ", ".join(missing)
