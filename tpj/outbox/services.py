"""Writing e-mails to the outbox and sending them.

    enqueue(...)  — in the caller's transaction: the message is a row, kept only if the
                    change that causes it commits; dispatched once that transaction commits.
    send(message) — hands one message to the mail server (never silently), once: marks it
                    sent (then runs its purpose's `on_sent` hook) or failed (attempts, a
                    French summary of the error, an ERROR log line with its id).
    retry(message) — puts a failed message back in line and dispatches it again.

Dispatching is one replaceable function, named by the OUTBOX_DISPATCHER setting. Today it
is `send_now` (in the process, right after the commit); the worker tier (issue 15) points
the setting to a function that puts `send` on its task queue, with retries and backoff.
"""

import errno
import logging
import smtplib
import socket
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from . import purposes
from .models import OutgoingAttachment, OutgoingEmail

logger = logging.getLogger(__name__)

# The body of a sensitive message once sent (it held a personal link).
ERASED_BODY = "[Contenu effacé après l'envoi : il contenait un lien personnel.]"
SUBJECT_PREFIX = "[1000 premiers jours] "


def enqueue(
    purpose: str,
    *,
    to,
    subject: str,
    body: str,
    html_body: str = "",
    attachments=(),
    obj=None,
    sender=None,
    from_email: str = "",
) -> OutgoingEmail:
    """Write one e-mail to the outbox, in the caller's transaction, and dispatch it on commit.

    `purpose` is a key declared with `tpj.outbox.purposes.register`; `to` one address or a
    list; `attachments` (filename, bytes, mimetype) triples, stored through the default
    storage; `obj` the object the message is about (its staff pages list its failures);
    `sender` the user whose action caused it, if any. Nothing is sent if the transaction
    rolls back, and nothing here records the message as sent: its purpose's `on_sent`
    hook does, once it is.
    """
    purposes.get(purpose)  # an undeclared purpose is a programming error, raised here
    recipients = [to] if isinstance(to, str) else list(to)
    with transaction.atomic():
        message = OutgoingEmail.objects.create(
            purpose=purpose,
            recipients=recipients,
            from_email=from_email,
            subject="".join(subject.splitlines())[:255],
            body=body,
            html_body=html_body,
            content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
            object_id=str(obj.pk) if obj is not None else "",
            sender=sender if getattr(sender, "is_authenticated", False) else None,
        )
        for filename, content, mimetype in attachments:
            attachment = OutgoingAttachment(message=message, filename=filename, mimetype=mimetype or "")
            attachment.file.save(filename, ContentFile(content), save=True)
        schedule(message)
    return message


def schedule(message: OutgoingEmail) -> None:
    """Dispatch `message` once the current transaction commits (at once outside any)."""
    transaction.on_commit(partial(dispatcher(), message.pk), robust=True)


def dispatcher():
    """The function that sends (or queues for sending) a message by id: OUTBOX_DISPATCHER."""
    return import_string(getattr(settings, "OUTBOX_DISPATCHER", "tpj.outbox.services.send_now"))


def send_now(message_id: int) -> None:
    """Today's dispatcher: send in this process, right after the commit."""
    send(message_id)


def send(message) -> OutgoingEmail | None:
    """Send one message (an OutgoingEmail or its id) if it is still to be sent; return it, or None.

    The row is locked (`select_for_update(skip_locked=True)`) for the whole attempt, so two
    dispatchers never send it twice: the second one finds it locked, or sent, and returns
    None. The mail server's refusal is never silent: the message is marked failed with the
    attempt counted and a French summary of the error, and the failure is logged at ERROR
    with the message's id. On success it is marked sent and its purpose's `on_sent` hook
    runs in the same transaction.
    """
    pk = message.pk if isinstance(message, OutgoingEmail) else message
    with transaction.atomic():
        message = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.FAILED])
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        message.last_attempt_at = timezone.now()
        try:
            _email(message).send(fail_silently=False)
        except Exception as error:  # any failure of the transport is recorded, never raised
            message.status = OutgoingEmail.Status.FAILED
            message.last_error = describe(error)
            message.save(update_fields=["status", "attempts", "last_attempt_at", "last_error"])
            logger.error(
                "Outbox: e-mail %s (%s) not sent, attempt %s: %s",
                message.pk,
                message.purpose,
                message.attempts,
                message.last_error,
                exc_info=error,
            )
            return message
        purpose = purposes.get(message.purpose)
        message.status = OutgoingEmail.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        if purpose.sensitive:
            message.body, message.html_body = ERASED_BODY, ""
        message.save(update_fields=["status", "attempts", "last_attempt_at", "sent_at", "last_error", "body", "html_body"])
        if purpose.on_sent is not None:
            _run_hook(purpose, message)
    return message


def _run_hook(purpose, message) -> None:
    """The hook's own savepoint: should it fail, the message stays sent (it was) and says so."""
    try:
        with transaction.atomic():
            purpose.on_sent(message)
    except Exception as error:
        message.last_error = f"Envoyé, mais l'enregistrement qui suit l'envoi a échoué ({type(error).__name__})."
        message.save(update_fields=["last_error"])
        logger.error("Outbox: e-mail %s (%s) sent, its on_sent hook failed", message.pk, message.purpose, exc_info=error)


def _email(message: OutgoingEmail) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email or None,
        to=message.recipients,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as file:
            email.attach(attachment.filename, file.read(), attachment.mimetype or None)
    return email


def retry(message: OutgoingEmail, *, actor=None) -> bool:
    """Put a failed message back in line and dispatch it after the commit ("Renvoyer").

    Returns False when the message is not failed (sent meanwhile, or already back in line)."""
    updated = OutgoingEmail.objects.filter(pk=message.pk, status=OutgoingEmail.Status.FAILED).update(
        status=OutgoingEmail.Status.PENDING
    )
    if updated:
        message.status = OutgoingEmail.Status.PENDING
        schedule(message)
        logger.info("Outbox: e-mail %s (%s) put back in line by %s", message.pk, message.purpose, getattr(actor, "pk", None))
    return bool(updated)


def due(*, retry_failed: bool = False):
    """Messages `send_outbox` sends: pending ones, and failed ones with attempts left
    (OUTBOX_MAX_ATTEMPTS), or every failed one with `retry_failed`."""
    failed = OutgoingEmail.objects.failed()
    if not retry_failed:
        failed = failed.filter(attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
    pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
    return (pending | failed).order_by("created_at", "pk")


def describe(error: BaseException) -> str:
    """A French summary of a sending error for staff: what happened, never a credential or a trace."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(error.recipients))
        return f"Le serveur d'envoi a refusé le ou les destinataires : {refused}."
    if isinstance(error, smtplib.SMTPSenderRefused):
        return "Le serveur d'envoi a refusé l'adresse d'expédition."
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "Le serveur d'envoi a refusé l'authentification de la plateforme."
    if isinstance(error, smtplib.SMTPResponseException):
        return f"Le serveur d'envoi a refusé le message (code {error.smtp_code})."
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "Le serveur d'envoi a coupé la connexion."
    if isinstance(error, TimeoutError | socket.timeout):
        return "Le serveur d'envoi ne répond pas (délai dépassé)."
    if isinstance(error, ConnectionRefusedError) or getattr(error, "errno", None) == errno.ECONNREFUSED:
        return "Le serveur d'envoi est injoignable (connexion refusée)."
    if isinstance(error, socket.gaierror):
        return "Le serveur d'envoi est introuvable (nom inconnu)."
    if isinstance(error, OSError):
        return "Le serveur d'envoi est injoignable (erreur réseau)."
    if isinstance(error, smtplib.SMTPException):
        return "Le serveur d'envoi a refusé le message."
    return f"Erreur inattendue lors de l'envoi ({type(error).__name__})."
