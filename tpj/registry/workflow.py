"""The registration workflow, declared as data (docs/domain.md, registry)."""

from enum import StrEnum

from tpj.core.workflow import Transition, Workflow

from .models import State


class Move(StrEnum):
    """The names of the registry's transitions, as views, API, services and mails refer to them."""

    SUBMIT = "submit"
    VERIFY = "verify"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"


EDITABLE_SOURCES = (State.DRAFT, State.CHANGES_REQUESTED, State.REJECTED)

ENTRY_WORKFLOW = Workflow(
    name="registry",
    state_field="state",
    transitions=[
        Transition(Move.SUBMIT, "Soumettre à vérification", EDITABLE_SOURCES, State.SUBMITTED, "registry.submit"),
        Transition(Move.VERIFY, "Vérifier et publier", (State.SUBMITTED,), State.VERIFIED, "registry.moderate"),
        Transition(Move.REJECT, "Refuser", (State.SUBMITTED,), State.REJECTED, "registry.moderate", requires_reason=True),
        Transition(
            Move.REQUEST_CHANGES,
            "Demander des modifications",
            (State.SUBMITTED,),
            State.CHANGES_REQUESTED,
            "registry.moderate",
            requires_reason=True,
        ),
        Transition(Move.SUSPEND, "Suspendre", (State.VERIFIED,), State.SUSPENDED, "registry.moderate", requires_reason=True),
        Transition(Move.REINSTATE, "Rétablir", (State.SUSPENDED,), State.VERIFIED, "registry.moderate"),
    ],
)

MODERATION_TRANSITIONS = (Move.VERIFY, Move.REJECT, Move.REQUEST_CHANGES, Move.SUSPEND, Move.REINSTATE)
