"""The calls' e-mails as the call's managers follow them: each decided application's letter
(in preparation, sent, failed) and the failed e-mails and letters of the call, which they
send or request again."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tpj.core import policy
from tpj.outbox import services as outbox
from tpj.outbox.models import OutgoingEmail

from ..emails import DECISION_LETTER
from ..models import Application, Call, DecisionLetter


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


def _current_drawn(applications):
    """The DecisionLetters of the current decision of `applications` (one each at most)."""
    return DecisionLetter.objects.filter(application__in=applications, decided_at=F("application__decided_at"))


def current_drawn_letters(applications) -> dict[int, DecisionLetter]:
    """{application id: the DecisionLetter of its current decision} for `applications`."""
    return {letter.application_id: letter for letter in _current_drawn(applications)}


def failed_letters(call: Call) -> list[DecisionLetter]:
    """The call's decision letters that could not be drawn after their attempts (the
    manager requests them again by notifying once more)."""
    applications = call.applications.filter(state__in=Application.DECIDED_STATES, notified_at__isnull=True)
    failed = _current_drawn(applications).filter(state=DecisionLetter.State.FAILED)
    return list(failed.select_related("application").order_by("pk"))


def letter_badges(applications) -> dict[int, tuple[str, str]]:
    """{application id: (French label, DSFR badge type)} of each decided application's letter:
    « en préparation » while a worker draws it, « émis, en cours d'envoi » while the outbox sends it, « envoyé le … » once
    sent (the decision is then notified), « échec » when it could not be drawn or sent."""
    messages = current_letters(applications)
    drawn = current_drawn_letters(applications)
    badges = {}
    for app in applications.filter(state__in=Application.DECIDED_STATES):
        letter, message = drawn.get(app.pk), messages.get(app.pk)
        if app.notified_at:
            badges[app.pk] = (f"Courrier envoyé le {timezone.localtime(app.notified_at):%d/%m/%Y}", "success")
        elif message is not None:
            badges[app.pk] = _message_badge(message)
        elif letter is None or letter.state == DecisionLetter.State.CANCELLED:
            badges[app.pk] = ("Non notifiée", "")
        elif letter.state == DecisionLetter.State.FAILED:
            badges[app.pk] = ("Échec de la préparation du courrier", "error")
        else:
            badges[app.pk] = ("Courrier en préparation", "info")
    return badges


def _message_badge(message: OutgoingEmail) -> tuple[str, str]:
    if message.status == OutgoingEmail.Status.FAILED:
        return ("Échec de l'envoi du courrier", "error")
    if message.status == OutgoingEmail.Status.SENT:  # sent, but its decision was reopened meanwhile
        return ("Courrier envoyé", "")
    # The e-mail exists once the letter is issued: drawn and stored, on its way to the applicant.
    if message.attempts and message.next_attempt_at and message.status == OutgoingEmail.Status.PENDING:
        return (f"Courrier émis, nouvel essai d'envoi à {timezone.localtime(message.next_attempt_at):%H:%M}", "info")
    return ("Courrier émis, en cours d'envoi", "info")
