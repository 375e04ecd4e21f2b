"""The notifications' e-mails in the outbox (tpj.outbox), and what is recorded once sent."""

from tpj.outbox.purposes import register

from .models import Notification


def carried_sent(message) -> None:
    """An e-mail carrying notifications (one immediate, or a digest) has been sent: they are
    e-mailed now, and not before (a digest that fails leaves them unsent, in the outbox)."""
    Notification.objects.filter(email=message, emailed_at__isnull=True).update(emailed_at=message.sent_at)


IMMEDIATE = register("notifications.immediate", "Notification", on_sent=carried_sent).key
DAILY_DIGEST = register("notifications.daily_digest", "Récapitulatif quotidien des notifications", on_sent=carried_sent).key
