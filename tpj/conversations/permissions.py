"""Who takes part in a conversation: the only place deciding it (views, services and
downloads ask here). A party is a user who passes one side's policy action on the file
(tpj/conversations/kinds.py); everyone else is refused, whatever the file."""

from tpj.core import policy
from tpj.core.policy import Decision, rule

from . import kinds
from .kinds import Side, ThreadKind, to


def side_of(user, kind: ThreadKind, file) -> str | None:
    """The side `user` talks for on `file`'s thread (staff first), or None for a stranger."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or file is None:
        return None
    if policy.check(user, kind.staff_policy, file):
        return Side.STAFF
    if policy.check(user, kind.holder_policy, file):
        return Side.HOLDER
    return None


def not_a_party(kind: ThreadKind) -> str:
    return f"Ces échanges sont réservés {to(kind.staff_name)} et {to(kind.holder_name)} de ce dossier."


@rule("conversations.take_part")
def take_part(user, file=None) -> Decision:
    """Read the thread of `file`, write in it, export it."""
    kind = kinds.of_model(type(file)) if file is not None else None
    if kind is None:
        return Decision.deny("Ce dossier n'a pas d'échanges.")
    return Decision.allow() if side_of(user, kind, file) else Decision.deny(not_a_party(kind))


@rule("conversations.download_attachment")
def download_attachment(user, attachment=None) -> Decision:
    """The parties of the thread; the attachments of an internal note, the staff only."""
    if attachment is None:
        return Decision.deny("Pièce jointe introuvable.")
    message = attachment.message
    kind = kinds.get(message.thread.kind)
    side = side_of(user, kind, message.thread.file)
    if side is None:
        return Decision.deny(not_a_party(kind))
    if message.internal and side != Side.STAFF:
        return Decision.deny(not_a_party(kind))  # an internal note does not exist for the holder
    return Decision.allow()
