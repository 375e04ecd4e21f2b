"""Mail sent by the calls module (after the transaction commits, never on a rollback)."""

from django.core.mail import EmailMessage
from django.db import transaction


def send(to: str, subject: str, body: str, attachments=()):
    message = EmailMessage(subject=f"[1000 premiers jours] {subject}", body=body, to=[to])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    transaction.on_commit(lambda: message.send(fail_silently=True))
