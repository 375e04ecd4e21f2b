"""Decision letters drawn by workers (tpj.calls.services.letters): one task per letter, and
the letters whose task was lost or whose worker died queued again every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from ..services import letters


@db_task()
def draw_decision_letter(letter_id: int) -> None:
    """Draw, store and issue letter `letter_id`, then put its e-mail in the outbox (once:
    a copy of this task finds it claimed or issued)."""
    letters.issue_letter(letter_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("calls-recover-letters")
def recover_decision_letters() -> None:
    """Every minute: queue again the letters still to draw whose task was lost, and those
    whose worker died while drawing them."""
    letters.recover_letters()
