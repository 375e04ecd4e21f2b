"""Sending the outbox's messages, in workers (tpj.outbox.tasks), once each.

A message is a row; the queue only says "send row N". Sending one message:

1. claim — one conditional UPDATE, pending (and due) or sending with an expired lease →
   sending, with a lease (`claimed_until = now + OUTBOX_LEASE_SECONDS`) and the attempt
   counted. A second worker, or the same task queued twice, finds nothing to claim: no lock
   is held while the mail server is talked to.
2. send — outside any transaction (attachments read from the storage).
3. record — sent (then the purpose's `on_sent` hook, in the same short transaction: a
   state such as "notified" is recorded only once the message is sent), or failed: back to
   pending with an exponential backoff (`next_attempt_at`: 1, 5, 25, 125… minutes), or
   failed for good after OUTBOX_MAX_ATTEMPTS attempts — then listed to the staff concerned.

A worker killed while sending leaves its message "sending": once the lease expires, the
periodic recovery (`recover`, every minute) queues it again and another worker claims it.
So a message is sent exactly once in a normal run, whatever the number of workers or of
copies of its task; it is sent twice only if a worker dies between the mail server's
acceptance and the write that records it (at-least-once there: no mail server takes part
in a transaction with the database).
"""

import errno
import logging
import smtplib
import socket
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tpj.core import leases

from . import purposes
from .models import OutgoingEmail

logger = logging.getLogger(__name__)

# The body of a sensitive message once sent (it held a personal link).
ERASED_BODY = "[Contenu effacé après l'envoi : il contenait un lien personnel.]"
# The longest wait between two attempts.
MAX_BACKOFF = timedelta(days=1)


def lease() -> timedelta:
    """How long a claim (or a queued task) is trusted: far longer than one sending
    (EMAIL_TIMEOUT), so that a live worker never loses its message to another."""
    return timedelta(seconds=getattr(settings, "OUTBOX_LEASE_SECONDS", 300))


def max_attempts() -> int:
    return settings.OUTBOX_MAX_ATTEMPTS


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 5, 25, 125… minutes (at most a day)."""
    return min(timedelta(minutes=5 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _pending(now, *, early: bool = False) -> Q:
    """Pending messages whose next attempt has come at `now` (every pending one if `early`)."""
    pending = Q(status=OutgoingEmail.Status.PENDING)
    if early:
        return pending
    return pending & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def claimable(now, *, early: bool = False) -> Q:
    """Messages a worker may claim at `now`: pending and due (any pending one if `early`),
    or sending under an expired lease (their worker died)."""
    return leases.claimable(now, waiting=_pending(now, early=early), working=Q(status=OutgoingEmail.Status.SENDING))


def claim(pk: int, *, early: bool = False):
    """Take message `pk` for one attempt; return the lease (the claim's token), or None
    when it is not to be sent now (sent, failed, being sent, or waiting for its backoff)."""
    now = timezone.now()
    return leases.claim(
        OutgoingEmail.objects.filter(claimable(now, early=early), pk=pk),
        lease=lease(),
        now=now,
        status=OutgoingEmail.Status.SENDING,
        last_attempt_at=now,
    )


def send(message, *, early: bool = False) -> OutgoingEmail | None:
    """Send one message (an OutgoingEmail or its id) if it is to be sent now; return it, or None.

    None when there is nothing to do: sent already, failed for good, claimed by another
    worker, or waiting for its next attempt (`early` sends a pending message at once, for
    `manage.py send_outbox`). The mail server's refusal is never raised nor silent: see
    `record_failure`. Call it outside any transaction: nothing is locked while sending.
    """
    pk = message.pk if isinstance(message, OutgoingEmail) else int(message)
    token = claim(pk, early=early)
    if token is None:
        return None
    message = OutgoingEmail.objects.get(pk=pk)
    try:
        _email(message).send(fail_silently=False)
    except Exception as error:  # any failure of the transport (or of the storage) is recorded
        return record_failure(message, token, error)
    return record_sent(message, token)


def record_sent(message: OutgoingEmail, token) -> OutgoingEmail | None:
    """Mark the message sent and run its purpose's `on_sent` hook, in one short transaction."""
    purpose = purposes.get(message.purpose)
    with transaction.atomic():
        message = OutgoingEmail.objects.select_for_update().get(pk=message.pk)
        if message.status == OutgoingEmail.Status.SENT:
            return None  # another worker, after our lease expired, sent and recorded it too
        if message.claimed_until != token:
            logger.warning("Outbox: e-mail %s sent after its lease expired", message.pk)
        message.status = OutgoingEmail.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.claimed_until = message.next_attempt_at = None
        if purpose.sensitive:
            message.body, message.html_body = ERASED_BODY, ""
        message.save(
            update_fields=[
                "status",
                "sent_at",
                "last_error",
                "claimed_until",
                "next_attempt_at",
                "body",
                "html_body",
            ]
        )
        if purpose.on_sent is not None:
            _run_hook(purpose, message)
    return message


def record_failure(message: OutgoingEmail, token, error: BaseException) -> OutgoingEmail:
    """Record a failed attempt: back in line after its backoff, or failed for good after the
    last attempt (an ERROR log line with the message's id; a WARNING before)."""
    final = message.attempts >= max_attempts()
    now = timezone.now()
    message.status = OutgoingEmail.Status.FAILED if final else OutgoingEmail.Status.PENDING
    message.next_attempt_at = None if final else now + backoff(message.attempts)
    message.claimed_until = None
    message.last_error = describe(error)
    recorded = OutgoingEmail.objects.filter(pk=message.pk, status=OutgoingEmail.Status.SENDING, claimed_until=token).update(
        status=message.status, next_attempt_at=message.next_attempt_at, claimed_until=None, last_error=message.last_error
    )
    if not recorded:  # our lease expired and another worker took the message over: its outcome counts
        logger.warning("Outbox: e-mail %s failed after its lease expired (%s)", message.pk, message.last_error)
        message.refresh_from_db()
        return message
    logger.log(
        logging.ERROR if final else logging.WARNING,
        "Outbox: e-mail %s (%s) not sent, attempt %s of %s%s: %s",
        message.pk,
        message.purpose,
        message.attempts,
        max_attempts(),
        " (failed for good)" if final else f", next at {message.next_attempt_at:%Y-%m-%d %H:%M}",
        message.last_error,
        exc_info=error,
    )
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


# --- queueing -------------------------------------------------------------------------------


def _task():
    from .tasks import send_email  # the task module imports this one

    return send_email


def _waiting():
    return OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)


def queue(pk: int) -> bool:
    """Put `send_email(pk)` on the task queue now. When the queue cannot take it, the
    message's queued lease is dropped, so that the next recovery queues it again."""
    return leases.queue(_task(), pk, waiting=_waiting())


def recover(*, limit: int = 1000) -> int:
    """Queue again the messages whose task was lost; return how many the queue took (the
    periodic `recover_outbox` task, every minute).

    Pending messages whose next attempt has come and whose queued task is presumed lost
    (never queued because the queue was down, or queued longer ago than the lease), and
    sending messages whose lease expired (their worker was killed). A copy queued while the
    first one still runs is harmless: only one claims the message.
    """
    now = timezone.now()
    lost = (_pending(now) | Q(status=OutgoingEmail.Status.SENDING)) & leases.free(now)
    ids = list(OutgoingEmail.objects.filter(lost).order_by("pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    queued = leases.requeue(_task(), ids, waiting=_waiting(), lease=lease(), now=now)
    logger.info("Outbox: %s e-mails queued again by the recovery", queued)
    return queued


# --- errors as staff read them --------------------------------------------------------------

RETRY_LATER = "Renvoyez-le plus tard ; si l'échec persiste, prévenez l'administrateur de la plateforme."
CHECK_ADDRESS = "Vérifiez l'adresse du destinataire (corrigez-la dans son compte si besoin), puis renvoyez-le."
CALL_ADMINISTRATOR = "Prévenez l'administrateur de la plateforme : la configuration d'envoi est en cause."


def describe(error: BaseException) -> str:
    """A French summary of a sending error for staff: what happened and what to do, never a
    credential or a trace."""
    summary, advice = _summary(error)
    return f"{summary} {advice}"


def _summary(error: BaseException) -> tuple[str, str]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(error.recipients))
        return f"Le serveur d'envoi a refusé le ou les destinataires : {refused}.", CHECK_ADDRESS
    if isinstance(error, smtplib.SMTPSenderRefused):
        return "Le serveur d'envoi a refusé l'adresse d'expédition.", CALL_ADMINISTRATOR
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "Le serveur d'envoi a refusé l'authentification de la plateforme.", CALL_ADMINISTRATOR
    if isinstance(error, smtplib.SMTPResponseException):
        return f"Le serveur d'envoi a refusé le message (code {error.smtp_code}).", RETRY_LATER
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "Le serveur d'envoi a coupé la connexion.", RETRY_LATER
    if isinstance(error, TimeoutError | socket.timeout):
        return "Le serveur d'envoi ne répond pas (délai dépassé).", RETRY_LATER
    if isinstance(error, ConnectionRefusedError) or getattr(error, "errno", None) == errno.ECONNREFUSED:
        return "Le serveur d'envoi est injoignable (connexion refusée).", RETRY_LATER
    if isinstance(error, socket.gaierror):
        return "Le serveur d'envoi est introuvable (nom inconnu).", CALL_ADMINISTRATOR
    if isinstance(error, OSError):
        return "Le serveur d'envoi est injoignable (erreur réseau).", RETRY_LATER
    if isinstance(error, smtplib.SMTPException):
        return "Le serveur d'envoi a refusé le message.", RETRY_LATER
    if _is_provider_error(error):
        if getattr(error, "status_code", None) in (401, 403):
            return "Le fournisseur d'envoi a refusé l'authentification de la plateforme.", CALL_ADMINISTRATOR
        return "Le fournisseur d'envoi a refusé le message.", RETRY_LATER
    return f"Erreur inattendue lors de l'envoi ({type(error).__name__}).", RETRY_LATER


def _is_provider_error(error: BaseException) -> bool:
    """An error of a django-anymail backend (an e-mail provider's API)."""
    try:
        from anymail.exceptions import AnymailError
    except ImportError:  # pragma: no cover — anymail is installed with the platform
        return False
    return isinstance(error, AnymailError)
