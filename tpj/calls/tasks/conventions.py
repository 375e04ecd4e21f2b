"""Conventions de subvention drawn by workers (tpj.calls.services.conventions): one task per
convention, and the drawings whose task was lost or whose worker died queued again every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from ..services import conventions


@db_task()
def draw_convention(convention_id: int) -> None:
    """Draw, store and issue convention `convention_id`, then e-mail it to the carrier (once:
    a copy of this task finds it claimed or issued)."""
    conventions.issue_convention(convention_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("calls-recover-conventions")
def recover_conventions() -> None:
    """Every minute: queue again the conventions still to draw whose task was lost, and those
    whose worker died while drawing them."""
    conventions.recover_conventions()
