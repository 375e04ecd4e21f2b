"""The outbox's background tasks: a message is sent by a worker, and the messages whose task
was lost (queue down, worker killed) are queued again every minute (tpj.outbox.delivery)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from . import delivery, retention


@db_task()
def send_email(message_id: int) -> None:
    """Send outbox message `message_id` if it is still to be sent (claimed first: a copy of
    this task, or another worker, finds nothing to do)."""
    delivery.send(message_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("outbox-recover")
def recover_outbox() -> None:
    """Every minute: queue again the pending messages whose time has come and whose task was
    lost, and the messages whose worker died while sending them (expired lease)."""
    delivery.recover()


@db_periodic_task(crontab(minute="45", hour="1"))
@lock_task("outbox-retention")
def purge_old_messages() -> None:
    """Every night (01:45 UTC): delete the messages past their retention (tpj.outbox.retention)."""
    retention.purge_expired()
