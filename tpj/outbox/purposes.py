"""The table of e-mail purposes: what each kind of message is for, and what to do once it is sent.

Every e-mail of the platform is enqueued with a purpose key ("calls.decision_letter"). Each
app declares its purposes in its `emails.py` (found by `OutboxConfig.ready`):

    register("calls.decision_letter", "Courrier de décision", on_sent=letter_sent)

`on_sent(message)` runs once the message has been handed to the mail server, in the same
transaction that marks it sent: it is where a state such as "notified" is recorded, and
nowhere before.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Purpose:
    key: str
    label: str  # French, shown to staff ("Courrier de décision")
    on_sent: Callable | None = None
    # The body holds a personal secret (a sign-in or confirmation link): it is erased once
    # sent and never shown in the administration.
    sensitive: bool = False
    # The message is the proof that a funding decision was notified (a decision letter, a
    # convention to sign): kept for the decision's retention, never by the outbox's purge.
    evidence: bool = False


_PURPOSES: dict[str, Purpose] = {}


def register(
    key: str, label: str, *, on_sent: Callable | None = None, sensitive: bool = False, evidence: bool = False
) -> Purpose:
    """Declare the purpose `key` (once)."""
    if key in _PURPOSES:
        raise ValueError(f"Outbox purpose {key!r} declared twice")
    _PURPOSES[key] = purpose = Purpose(key, label, on_sent, sensitive, evidence)
    return purpose


def get(key: str) -> Purpose:
    try:
        return _PURPOSES[key]
    except KeyError:
        raise LookupError(f"No outbox purpose {key!r}: declare it in the app's emails.py") from None


def all_purposes() -> list[Purpose]:
    return sorted(_PURPOSES.values(), key=lambda p: p.key)


def label(key: str) -> str:
    purpose = _PURPOSES.get(key)
    return purpose.label if purpose else key
