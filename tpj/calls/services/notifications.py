"""The calls' e-mails as the call's managers follow them: each decided application's letter
(waiting, sent, failed) and the failed e-mails of the call, which they send again."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tpj.core import policy
from tpj.outbox import services as outbox
from tpj.outbox.models import OutgoingEmail

from ..emails import DECISION_LETTER
from ..models import Application, Call


def current_letters(applications) -> dict[int, OutgoingEmail]:
    """{application id: its current decision letter} for `applications` (a QuerySet).

    A letter is current when written after the decision it announces (a decision reopened
    and taken again needs a new letter); the latest one wins."""
    decided = dict(applications.values_list("pk", "decided_at"))
    letters = {}
    for message in OutgoingEmail.objects.for_objects(applications).filter(purpose=DECISION_LETTER).order_by("created_at", "pk"):
        pk = int(message.object_id)
        if decided.get(pk) is None or message.created_at >= decided[pk]:
            letters[pk] = message
    return letters


def failed_emails(call: Call) -> list[OutgoingEmail]:
    """The failed e-mails about the call's applications (decision letters, receipts, requests
    for information), oldest first, without the letters of decisions since taken again."""
    applications = call.applications.all()
    letters = current_letters(applications)
    failed = list(OutgoingEmail.objects.for_objects(applications).failed().order_by("created_at", "pk"))
    references = dict(applications.values_list("pk", "reference"))
    shown = []
    for message in failed:
        if message.purpose == DECISION_LETTER and letters.get(int(message.object_id)) != message:
            continue
        message.reference = references.get(int(message.object_id), "")
        shown.append(message)
    return shown


def resend_email(call: Call, user, message_id) -> OutgoingEmail:
    """Send again a failed e-mail of the call (« Renvoyer »): for its managers only; French errors."""
    policy.require(user, "calls.manage_call", call)
    message = next((m for m in failed_emails(call) if str(m.pk) == str(message_id)), None)
    if message is None:
        raise ValidationError("Ce courriel n'est pas en échec pour cet appel : rechargez la page.")
    with transaction.atomic():
        outbox.retry(message, actor=user)
    return message


def letter_badges(applications) -> dict[int, tuple[str, str]]:
    """{application id: (French label, DSFR badge type)} of each decided application's letter:
    « notifiée » only once the letter is sent, « envoi en échec », « envoi en cours »."""
    letters = current_letters(applications)
    badges = {}
    for app in applications.filter(state__in=Application.DECIDED_STATES):
        letter = letters.get(app.pk)
        if app.notified_at:
            badges[app.pk] = (f"Notifiée le {timezone.localtime(app.notified_at):%d/%m/%Y}", "success")
        elif letter is None:
            badges[app.pk] = ("Non notifiée", "")
        elif letter.status == OutgoingEmail.Status.FAILED:
            badges[app.pk] = ("Envoi en échec", "error")
        elif letter.status == OutgoingEmail.Status.PENDING:
            badges[app.pk] = ("Envoi en cours", "info")
        else:  # sent, but its decision was reopened meanwhile
            badges[app.pk] = ("Courrier envoyé", "")
    return badges
