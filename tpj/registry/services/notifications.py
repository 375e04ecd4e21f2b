"""E-mails to an entry's members about moderators' decisions, through the outbox (tpj.outbox):
written with the decision, sent after its commit, failures shown on the entry's moderation page."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string

from tpj.core import policy
from tpj.core.urls_absolute import absolute_reverse
from tpj.outbox import services as outbox
from tpj.outbox.models import OutgoingEmail

from ..emails import MODERATION_DECISION
from ..models import Entry
from ..workflow import Move

DECISION_SUBJECTS = {
    Move.VERIFY: "Votre fiche est vérifiée et publiée",
    Move.REJECT: "Votre fiche n'a pas été retenue",
    Move.REQUEST_CHANGES: "Des modifications sont demandées sur votre fiche",
    Move.SUSPEND: "Votre fiche est suspendue",
    Move.REINSTATE: "Votre fiche est de nouveau publiée",
}


def notify_members(entry: Entry, transition: str, reason: str = "", *, sender=None) -> OutgoingEmail | None:
    """E-mail the active members of `entry` the moderator's decision `transition`, with its reason.

    Written to the outbox in the decision's transaction: the e-mail leaves once the decision
    is committed, and the row lock the decision holds is never held during the sending."""
    recipients = list(entry.members.filter(is_active=True).values_list("email", flat=True))
    if not recipients:
        return None
    context = {
        "entry": entry,
        "transition": transition,
        "reason": reason,
        "subject": DECISION_SUBJECTS[transition],
        "url": absolute_reverse("registry:entry", args=[entry.public_entry.pk]),
        "edit_url": absolute_reverse("registry:edit", args=[entry.pk]),
    }
    return outbox.enqueue(
        MODERATION_DECISION,
        to=recipients,
        subject=f"{outbox.SUBJECT_PREFIX}{DECISION_SUBJECTS[transition]} : {entry.name}"[:200],
        body=render_to_string("registry/email/decision.txt", context),
        obj=entry,
        sender=sender,
    )


def failed_notifications(entry: Entry) -> list[OutgoingEmail]:
    """The e-mails about `entry` that could not be sent, oldest first."""
    return list(OutgoingEmail.objects.for_object(entry).failed().order_by("created_at", "pk"))


def resend_notification(entry: Entry, user, message_id) -> OutgoingEmail:
    """Send again a failed e-mail about `entry` (« Renvoyer »): for its moderators only; French errors."""
    policy.require(user, "registry.moderate", entry)
    message = next((m for m in failed_notifications(entry) if str(m.pk) == str(message_id)), None)
    if message is None:
        raise ValidationError("Ce courriel n'est pas en échec pour cette fiche : rechargez la page.")
    with transaction.atomic():
        outbox.retry(message, actor=user)
    return message
