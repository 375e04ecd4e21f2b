"""The calls' e-mails in the outbox (tpj.outbox): their purposes, and what is recorded once sent."""

from tpj.audit.services import record
from tpj.outbox.purposes import register

from .models import Application


def letter_sent(message) -> None:
    """A decision letter has been sent: the application is notified (and the carrier may read its letter).

    A letter written before the decision it announces was reopened and taken again notifies nothing."""
    app = Application.objects.select_for_update().filter(pk=message.object_id).first()
    if app is None or app.notified_at is not None or app.state not in Application.DECIDED_STATES:
        return
    if app.decided_at and message.created_at < app.decided_at:
        return
    app.notified_at = message.sent_at
    app.save(update_fields=["notified_at", "updated_at"])
    record(actor=message.sender, obj=app, action="calls.decision.notified", after={"courriel": message.pk})


RECEIPT = register("calls.receipt", "Accusé de réception de candidature").key
INFORMATION_REQUEST = register("calls.information_request", "Demande de complément").key
DECISION_LETTER = register("calls.decision_letter", "Courrier de décision", on_sent=letter_sent, evidence=True).key
CONVENTION = register("calls.convention", "Convention de subvention à signer", evidence=True).key
# Scheduled reminders (tpj.calls.services.reminders): each sent once, recorded by its key.
DEADLINE_REMINDER = register("calls.deadline_reminder", "Rappel d'échéance nationale aux agences").key
DRAFT_REMINDER = register("calls.draft_reminder", "Rappel de candidature en brouillon").key
JURY_REMINDER = register("calls.jury_reminder", "Rappel de dossiers à noter").key
