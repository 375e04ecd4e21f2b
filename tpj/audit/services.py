"""Writing to the audit log.

`record` appends an event in the current transaction: it is kept only if that transaction
commits, which is right for the trace of a change. `record_refusal` is for the trace of a
refused action (e.g. a moderator acting on an entry another moderator has just decided):
the refusal raises, and the error usually rolls back every transaction it passes through
(the caller's `atomic` blocks, `ATOMIC_REQUESTS`), so the event is held until those
transactions are over and written then.
"""

import threading

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .models import AuditEvent


def record(*, actor, obj=None, action: str, from_state="", to_state="", reason="", before=None, after=None) -> AuditEvent:
    """Append one event to the audit log. Every module writes through this function."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=(actor.email if authenticated else "système"),
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        before=before,
        after=after,
    )


_held = threading.local()


def _held_events() -> list[dict]:
    if not hasattr(_held, "events"):
        _held.events = []
    return _held.events


def _in_transaction() -> bool:
    """True inside a transaction that the refusal may roll back.

    The blocks a test case opens around each test (`_from_testcase`, the attribute Django
    itself reads for `atomic(durable=True)`) do not count: in tests, as in production, the
    event is then written at once.
    """
    return any(not getattr(block, "_from_testcase", False) for block in transaction.get_connection().atomic_blocks)


def record_refusal(*, actor, obj, action: str, from_state="", reason="") -> AuditEvent | None:
    """Record a refused action so that the record survives the rollback the refusal causes.

    Written at once outside any transaction (the event is returned); otherwise held and
    written when the outermost transaction commits (`on_commit`) or, in a request, by
    `tpj.audit.middleware.HeldAuditEventsMiddleware` once the request's transaction is
    over, committed or not. (Outside a request, a caller's transaction that rolls back
    leaves it held until `write_held_events` is called.)
    """
    fields = {"actor": actor, "obj": obj, "action": action, "from_state": from_state, "reason": reason}
    if not _in_transaction():
        return record(**fields)
    _held_events().append(fields)
    transaction.on_commit(write_held_events)
    return None


def write_held_events() -> int:
    """Write the held refusals (each once, in the order they happened); return how many."""
    events, written = _held_events(), 0
    while events:
        record(**events.pop(0))
        written += 1
    return written


def discard_held_events() -> None:
    _held_events().clear()
