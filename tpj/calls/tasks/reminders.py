"""The calls' scheduled reminders (docs/operations.md, "Scheduled jobs").

Each reminder is a notification, e-mailed or not as its recipient chose (tpj.notifications).
Each job runs every hour of the working day: the first run of the day sends the reminders
due, the next ones find them recorded and send nothing (`tpj.calls.services.reminders`), so
a worker stopped at the first hour loses no reminder. The lock keeps the schedulers of two
workers from running the same job at once.
"""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from ..services import reminders

logger = logging.getLogger(__name__)

# Hours in UTC (the queue's clock): 06:05 to 18:05, that is 07:05 or 08:05 to 19:05 or 20:05 in Paris.
WORKING_HOURS = crontab(minute="5", hour="6-18")


@db_periodic_task(WORKING_HOURS)
@lock_task("calls-remind-agencies")
def remind_agencies():
    """Reminders before each national deadline to the ARS and DREETS that have not done their part."""
    sent = reminders.remind_agencies()
    logger.info("Reminders: %s national deadline reminder(s) to agencies", sent)


@db_periodic_task(WORKING_HOURS)
@lock_task("calls-remind-applicants")
def remind_applicants():
    """Reminders before a call's deadline to the authors of draft applications."""
    sent = reminders.remind_applicants()
    logger.info("Reminders: %s draft application reminder(s)", sent)


@db_periodic_task(WORKING_HOURS)
@lock_task("calls-remind-jurors")
def remind_jurors():
    """Reminders to jury members with files left to score."""
    sent = reminders.remind_jurors()
    logger.info("Reminders: %s jury reminder(s)", sent)


@db_periodic_task(WORKING_HOURS)
@lock_task("calls-remind-reports")
def remind_reports():
    """Reminders to laureates' carriers of the reports they owe (before the due date, then weekly while missing)."""
    sent = reminders.remind_reports()
    logger.info("Reminders: %s report reminder(s)", sent)
