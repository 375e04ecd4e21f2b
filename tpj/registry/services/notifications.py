"""E-mails to an entry's members about moderators' decisions."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Entry

DECISION_SUBJECTS = {
    "verify": "Votre fiche est vérifiée et publiée",
    "reject": "Votre fiche n'a pas été retenue",
    "request_changes": "Des modifications sont demandées sur votre fiche",
    "suspend": "Votre fiche est suspendue",
    "reinstate": "Votre fiche est de nouveau publiée",
}


def notify_members(entry: Entry, transition: str, reason: str = "") -> None:
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
