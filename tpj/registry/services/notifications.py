"""E-mails to an entry's members about moderators' decisions."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Entry
from ..workflow import Move

DECISION_SUBJECTS = {
    Move.VERIFY: "Votre fiche est vérifiée et publiée",
    Move.REJECT: "Votre fiche n'a pas été retenue",
    Move.REQUEST_CHANGES: "Des modifications sont demandées sur votre fiche",
    Move.SUSPEND: "Votre fiche est suspendue",
    Move.REINSTATE: "Votre fiche est de nouveau publiée",
}


def notify_members(entry: Entry, transition: str, reason: str = "") -> None:
    """E-mail the active members of `entry` the moderator's decision `transition`, with its reason."""
    recipients = list(entry.members.filter(is_active=True).values_list("email", flat=True))
    if not recipients:
        return
    context = {
        "entry": entry,
        "transition": transition,
        "reason": reason,
        "subject": DECISION_SUBJECTS[transition],
        "url": settings.SITE_URL.rstrip("/") + reverse("registry:entry", args=[entry.public_entry.pk]),
        "edit_url": settings.SITE_URL.rstrip("/") + reverse("registry:edit", args=[entry.pk]),
    }
    send_mail(
        f"[1000 premiers jours] {DECISION_SUBJECTS[transition]} : {entry.name}"[:200],
        render_to_string("registry/email/decision.txt", context),
        None,
        recipients,
    )
