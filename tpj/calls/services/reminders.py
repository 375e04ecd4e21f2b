"""Scheduled reminders of the calls module (issue 15 §4), each sent once.

    remind_agencies()    — before each national deadline of a campaign, to the call managers
                           of each ARS and DREETS that has not done what the deadline asks:
                           declared its intent, designated its laureates, transmitted its list;
    remind_applicants()  — before a call's deadline, to the authors of draft applications;
    remind_jurors()      — to jury members with files left to score: before the jury's date,
                           and once a week otherwise while any is left;
    remind_reports()     — to laureates' carriers, before a report's due date, then once a week
                           while it is missing.

Each reminder is a notification of its kind (notification_kinds.py) to each person
concerned, e-mailed or not as that person chose (tpj.notifications). It has a key (what,
for whom, which date, which offset) recorded with its notifications in one transaction
(`tpj.core.reminders.claim`): a job run twice the same day, or by two workers' schedulers,
sends nothing twice. A job that did not run on the day of an offset
(workers stopped) sends that offset's reminder on its next run, never a skipped one later.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tpj.accounts.models import Organisation, User
from tpj.core.reminders import claim, days_until
from tpj.core.text import french_plural
from tpj.notifications.services import notify

from ..models import Agency, Application, ApplicationState, Call, CallState, Campaign, IntentDeclaration, ScoreSheet
from ..models.access import STRANDS_OF_AGENCY
from ..notification_kinds import DEADLINE_REMINDER, DRAFT_REMINDER, JURY_REMINDER, REPORT_REMINDER
from ..recipients import agency_managers, application_url, carriers, my_jury_url
from .follow_up import report_dues

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
                recipients = list(agency_managers(organisation))
                key = f"calls.deadline:{campaign.year}:{deadline.name}:{day.isoformat()}:{organisation.pk}:{offset}d"
                if recipients and _notify_once(
                    key,
                    DEADLINE_REMINDER,
                    recipients,
                    target=campaign,
                    title=f"Échéance du {day:%d/%m/%Y} : {deadline.subject}",
                    body=(
                        f"Campagne {campaign.year} des 1000 premiers jours — {organisation.name}.\n"
                        f"L'échéance nationale de {deadline.subject} est fixée au {day:%d/%m/%Y}, soit {_when(days_left)}.\n"
                        f"{deadline.task}\nSi c'est déjà fait, ne tenez pas compte de ce message."
                    ),
                    url=reverse("calls:index"),
                    may_see="calls.declare_intent",
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
        if _notify_once(
            key,
            DRAFT_REMINDER,
            [application.created_by],
            target=application,
            title=f"Votre candidature n'est pas encore déposée : clôture le {deadline:%d/%m/%Y}",
            body=(
                f"Votre candidature « {application.title or application.reference} » à l'appel à projets "
                f"« {application.call.title} » est encore en brouillon : elle n'a pas été déposée.\n"
                f"Les candidatures sont reçues jusqu'au {deadline:%d/%m/%Y à %H:%M} (heure de Paris), soit "
                f"{_when(days_left)}. Un brouillon n'est pas examiné : pensez à le compléter puis à le déposer."
            ),
            url=reverse("calls:application-edit", args=[application.pk]),
            may_see="calls.act_as_carrier",
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
        files = f"{count} dossier{french_plural(count)}"
        meeting = ""
        if offset is not None:
            meeting = f" Le jury se réunit le {call.jury_date:%d/%m/%Y}, soit {_when(days_left)}."
        if _notify_once(
            key,
            JURY_REMINDER,
            [user],
            target=call,
            title=f"{files} à noter — jury du {call.jury_date:%d/%m/%Y}" if offset is not None else f"{files} à noter",
            body=(
                f"Vous êtes membre du jury de l'appel à projets « {call.title} ».\n"
                f"{files} vous {french_plural(count, 'reste', 'restent')} à noter.{meeting}\n"
                "Pour chaque dossier, déclarez d'abord l'absence ou l'existence d'un conflit d'intérêts, "
                "puis notez chaque critère et validez votre notation."
            ),
            url=my_jury_url(),
            may_see="calls.view_my_sheets",
        ):
            sent += 1
    return sent


# -- common --------------------------------------------------------------------------


def _notify_once(key, kind, users, *, target, title, body, url, may_see) -> bool:
    """Notify `users` of the reminder `key` unless it was already; True when written now."""
    with transaction.atomic():
        if not claim(key):
            return False
        notify(kind, users, target=target, title=title, body=body, url=url, may_see=may_see)
    return True


# -- laureates' reports --------------------------------------------------------------


REPORT_REMINDER_DAYS = (14, 7, 1)


def remind_reports(today: datetime.date | None = None) -> int:
    """Remind each laureate's carrier of a report it owes (interim, final: `follow_up.report_dues`):
    before its due date (REPORT_REMINDER_DAYS), then once a week (ISO week) while it is missing;
    return how many reminders."""
    today = today or timezone.localdate()
    offsets = _offsets("CALLS_REPORT_REMINDER_DAYS", REPORT_REMINDER_DAYS)
    calls = Call.objects.filter(
        state__in=[CallState.LAUREATES_DECIDED, CallState.TRANSMITTED], applications__state=ApplicationState.LAUREATE
    ).distinct()
    sent = 0
    for call in calls:
        for due in report_dues(call, today):
            if due.received_on or due.due_on is None:
                continue
            days_left = days_until(due.due_on, today)
            offset = due_offset(days_left, offsets)
            app = due.application
            if offset is not None:
                key = f"calls.report:{app.pk}:{due.kind}:{due.due_on.isoformat()}:{offset}d"
                title = f"{due.kind_label} attendu le {due.due_on:%d/%m/%Y}"
                when = f"Il est attendu le {due.due_on:%d/%m/%Y}, soit {_when(days_left)}."
            elif days_left < 0:
                year, week, _ = today.isocalendar()
                key = f"calls.report:{app.pk}:{due.kind}:{due.due_on.isoformat()}:late:{year}-{week:02d}"
                title = f"{due.kind_label} en retard : attendu le {due.due_on:%d/%m/%Y}"
                when = f"Il était attendu le {due.due_on:%d/%m/%Y} et n'a pas encore été reçu."
            else:
                continue
            if _notify_once(
                key,
                REPORT_REMINDER,
                list(carriers(app)),
                target=app,
                title=title,
                body=(
                    f"Votre projet « {app.title} » ({app.reference}), lauréat de l'appel à projets « {call.title} », "
                    f"remet un {due.kind_label.lower()}. {when}\n"
                    "Déposez-le sur la page du projet, rubrique « Rapports de suivi »."
                ),
                url=application_url(app) + "#rapports",
                may_see="calls.follow_up",
            ):
                sent += 1
    return sent
