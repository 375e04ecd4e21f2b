"""Scheduled reminders of the calls module (issue 15 §4), each sent once.

    remind_agencies()    — before each national deadline of a campaign, to the call managers
                           of each ARS and DREETS that has not done what the deadline asks:
                           declared its intent, designated its laureates, transmitted its list;
    remind_applicants()  — before a call's deadline, to the authors of draft applications;
    remind_jurors()      — to jury members with files left to score: before the jury's date,
                           and once a week otherwise while any is left.

Each reminder has a key (what, for whom, which date, which offset) recorded with its e-mail
in one transaction (`tpj.core.reminders.claim`): a job run twice the same day, or by two
workers' schedulers, sends nothing twice. A job that did not run on the day of an offset
(workers stopped) sends that offset's reminder on its next run, never a skipped one later.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tpj.accounts.models import Organisation, Role, User
from tpj.core.reminders import claim, days_until
from tpj.core.text import french_plural
from tpj.core.urls_absolute import absolute_reverse

from ..emails import DEADLINE_REMINDER, DRAFT_REMINDER, JURY_REMINDER
from ..models import Agency, Application, ApplicationState, Call, CallState, Campaign, IntentDeclaration, ScoreSheet
from ..models.access import STRANDS_OF_AGENCY
from .mail import send

DEADLINE_REMINDER_DAYS = (14, 7, 1)
DRAFT_REMINDER_DAYS = (7, 1)
JURY_REMINDER_DAYS = (7, 1)


def due_offset(days_left: int, offsets) -> int | None:
    """The reminder due `days_left` days before a deadline: the last offset reached (7 for
    6 days left with offsets 14, 7 and 1), or None before the first and after the deadline."""
    reached = [offset for offset in offsets if offset >= days_left]
    return min(reached) if reached and days_left >= 0 else None


def _offsets(name: str, default) -> tuple[int, ...]:
    return tuple(getattr(settings, name, default))


def _when(days_left: int) -> str:
    if days_left <= 0:
        return "aujourd'hui"
    return "demain" if days_left == 1 else f"dans {days_left} jours"


# -- agencies ------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalDeadline:
    name: str
    field: str
    subject: str  # what the agency is asked, in the subject line
    task: str  # the sentence of the e-mail


NATIONAL_DEADLINES = (
    NationalDeadline(
        "intent",
        "intent_deadline",
        "déclaration d'intention",
        "Votre agence n'a pas encore déclaré son intention de lancer un appel à projets pour cette campagne.",
    ),
    NationalDeadline(
        "laureates",
        "laureates_deadline",
        "désignation des lauréats",
        "Les lauréats de votre appel à projets ne sont pas encore désignés.",
    ),
    NationalDeadline(
        "transmission",
        "transmission_deadline",
        "transmission de la liste des lauréats",
        "La liste des lauréats de votre appel à projets n'est pas encore transmise à l'équipe nationale.",
    ),
)


def _agency_calls(campaign: Campaign, region_id, agency: str):
    return Call.objects.filter(campaign=campaign, region_id=region_id, strand__in=STRANDS_OF_AGENCY[agency])


def agency_is_late(campaign: Campaign, deadline: NationalDeadline, region_id, agency: str) -> bool:
    """Whether the agency (région, ARS or DREETS) has yet to do what `deadline` asks."""
    declared = IntentDeclaration.objects.filter(campaign=campaign, region_id=region_id, agency=agency).exists()
    calls = _agency_calls(campaign, region_id, agency)
    if deadline.name == "intent":
        return campaign.state == Campaign.State.OPEN and not declared
    if not declared and not calls.exists():
        return False  # an agency that runs no call this year has nothing to designate nor transmit
    if deadline.name == "laureates":
        return not calls.exists() or calls.filter(state__in=[CallState.DRAFT, CallState.PUBLISHED, CallState.CLOSED]).exists()
    return not calls.exists() or calls.exclude(state=CallState.TRANSMITTED).exists()


def agency_recipients(organisation: Organisation) -> list[str]:
    """The addresses of the agency's active call managers."""
    users = User.objects.filter(
        organisation=organisation,
        is_active=True,
        role_assignments__role=Role.CALL_MANAGER,
        role_assignments__is_active=True,
    ).distinct()
    return sorted(users.values_list("email", flat=True))


def remind_agencies(today: datetime.date | None = None) -> int:
    """Send the national deadlines' reminders due today to the agencies late; return how many."""
    today = today or timezone.localdate()
    offsets = _offsets("CALLS_DEADLINE_REMINDER_DAYS", DEADLINE_REMINDER_DAYS)
    agencies = list(Organisation.objects.filter(kind__in=list(Organisation.REGIONAL_AGENCIES), region__isnull=False))
    sent = 0
    for campaign in Campaign.objects.exclude(state=Campaign.State.TRANSMITTED):
        for deadline in NATIONAL_DEADLINES:
            day = getattr(campaign, deadline.field)
            days_left = days_until(day, today)
            offset = due_offset(days_left, offsets)
            if offset is None:
                continue
            for organisation in agencies:
                agency = Agency(organisation.kind.upper())
                if not agency_is_late(campaign, deadline, organisation.region_id, agency):
                    continue
                recipients = agency_recipients(organisation)
                key = f"calls.deadline:{campaign.year}:{deadline.name}:{day.isoformat()}:{organisation.pk}:{offset}d"
                if recipients and _send_once(
                    key,
                    DEADLINE_REMINDER,
                    recipients,
                    f"Échéance du {day:%d/%m/%Y} : {deadline.subject}",
                    "calls/email/deadline_reminder.txt",
                    {
                        "campaign": campaign,
                        "deadline": deadline,
                        "day": day,
                        "when": _when(days_left),
                        "organisation": organisation,
                        "url": absolute_reverse("calls:index"),
                    },
                    obj=campaign,
                ):
                    sent += 1
    return sent


# -- applicants ----------------------------------------------------------------------


def remind_applicants(today: datetime.date | None = None) -> int:
    """Remind the authors of draft applications that a call's deadline is near; return how many."""
    today = today or timezone.localdate()
    offsets = _offsets("CALLS_DRAFT_REMINDER_DAYS", DRAFT_REMINDER_DAYS)
    horizon = timezone.now() + datetime.timedelta(days=max(offsets) + 1)
    drafts = Application.objects.filter(
        state=ApplicationState.DRAFT,
        call__state=CallState.PUBLISHED,
        call__applications_deadline__gt=timezone.now(),
        call__applications_deadline__lte=horizon,
        created_by__is_active=True,
    ).select_related("call", "created_by")
    sent = 0
    for application in drafts:
        deadline = timezone.localtime(application.call.applications_deadline)
        days_left = days_until(deadline.date(), today)
        offset = due_offset(days_left, offsets)
        if offset is None:
            continue
        key = f"calls.draft:{application.pk}:{deadline.date().isoformat()}:{offset}d"
        if _send_once(
            key,
            DRAFT_REMINDER,
            [application.created_by.email],
            f"Votre candidature n'est pas encore déposée : clôture le {deadline:%d/%m/%Y}",
            "calls/email/draft_reminder.txt",
            {
                "application": application,
                "call": application.call,
                "deadline": deadline,
                "when": _when(days_left),
                "url": absolute_reverse("calls:application-edit", args=[application.pk]),
            },
            obj=application,
        ):
            sent += 1
    return sent


# -- jurors --------------------------------------------------------------------------


def sheets_to_score():
    """Score sheets a juror still has to fill: not validated, not recused, of an eligible
    application of a call whose applications are closed (instruction and jury)."""
    return ScoreSheet.objects.filter(
        submitted_at__isnull=True,
        auto_recused=False,
        has_conflict=False,
        application__state=ApplicationState.ELIGIBLE,
        application__call__state=CallState.CLOSED,
        member__user__is_active=True,
    )


def remind_jurors(today: datetime.date | None = None) -> int:
    """Remind each juror of the files left to score, per call; return how many e-mails.

    Within JURY_REMINDER_DAYS of the jury's date: one reminder per offset; otherwise (no
    date, a date further away or passed): one a week (ISO week) while any file is left."""
    today = today or timezone.localdate()
    offsets = _offsets("CALLS_JURY_REMINDER_DAYS", JURY_REMINDER_DAYS)
    pending = defaultdict(int)
    for call_id, user_id in sheets_to_score().values_list("application__call_id", "member__user_id"):
        pending[(call_id, user_id)] += 1
    calls = Call.objects.in_bulk({call_id for call_id, _ in pending})
    users = User.objects.in_bulk({user_id for _, user_id in pending})
    sent = 0
    for (call_id, user_id), count in sorted(pending.items()):
        call, user = calls[call_id], users[user_id]
        days_left = days_until(call.jury_date, today) if call.jury_date else None
        offset = due_offset(days_left, offsets) if days_left is not None else None
        if offset is not None:
            key = f"calls.jury:{call.pk}:{user.pk}:{call.jury_date.isoformat()}:{offset}d"
        else:
            year, week, _ = today.isocalendar()
            key = f"calls.jury:{call.pk}:{user.pk}:week:{year}-{week:02d}"
        subject = f"{count} dossier{french_plural(count)} à noter"
        if _send_once(
            key,
            JURY_REMINDER,
            [user.email],
            f"{subject} — jury du {call.jury_date:%d/%m/%Y}" if offset is not None else subject,
            "calls/email/jury_reminder.txt",
            {
                "call": call,
                "count": count,
                "when": _when(days_left) if offset is not None else "",
                "url": absolute_reverse("calls:my-jury"),
            },
            obj=call,
        ):
            sent += 1
    return sent


# -- common --------------------------------------------------------------------------


def _send_once(key, purpose, recipients, subject, template, context, *, obj) -> bool:
    """Write the reminder `key` to the outbox unless it was already; True when written now."""
    with transaction.atomic():
        if not claim(key):
            return False
        send(purpose, recipients, subject, render_to_string(template, context), obj=obj)
    return True
