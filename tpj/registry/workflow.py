"""The registration workflow, declared as data (DOMAIN.md §4)."""

from tpj.core.workflow import Transition, Workflow

from .models import State

EDITABLE_SOURCES = (State.DRAFT, State.CHANGES_REQUESTED, State.REJECTED)

ENTRY_WORKFLOW = Workflow(
    name="registry",
    state_field="state",
    transitions=[
        Transition("submit", "Soumettre à vérification", EDITABLE_SOURCES, State.SUBMITTED, "registry.submit"),
        Transition("verify", "Vérifier et publier", (State.SUBMITTED,), State.VERIFIED, "registry.moderate"),
        Transition("reject", "Refuser", (State.SUBMITTED,), State.REJECTED, "registry.moderate", requires_reason=True),
        Transition(
            "request_changes",
            "Demander des modifications",
            (State.SUBMITTED,),
            State.CHANGES_REQUESTED,
            "registry.moderate",
            requires_reason=True,
        ),
        Transition("suspend", "Suspendre", (State.VERIFIED,), State.SUSPENDED, "registry.moderate", requires_reason=True),
        Transition("reinstate", "Rétablir", (State.SUSPENDED,), State.VERIFIED, "registry.moderate"),
    ],
)

MODERATION_TRANSITIONS = ("verify", "reject", "request_changes", "suspend", "reinstate")
