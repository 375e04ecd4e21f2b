"""Mail sent by the calls module: written to the outbox with the change that causes it, sent
after the commit (never on a rollback), recorded as sent only once it is (tpj.outbox)."""

from tpj.outbox import services as outbox


def send(purpose: str, to: str, subject: str, body: str, *, obj, sender=None, attachments=()):
    """Enqueue one e-mail about `obj` (an application); `purpose` is one of tpj.calls.emails'."""
    return outbox.enqueue(
        purpose,
        to=to,
        subject=f"{outbox.SUBJECT_PREFIX}{subject}",
        body=body,
        attachments=attachments,
        obj=obj,
        sender=sender,
    )
