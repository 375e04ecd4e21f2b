"""The applicant's section: my organisation's applications, the information requests awaiting
my answer, drafts to submit before a call closes, decisions notified, and the follow-up of
laureate projects (start date, indicator values, final evaluation). Shown to a project carrier
(role) and to anyone whose organisation has applied."""

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from tpj.accounts.models import Role
from tpj.calls.models import Application, ApplicationState, CallState, IndicatorValue, InformationRequest
from tpj.calls.templatetags.calls_tags import STATE_BADGES

from .. import text
from .base import INFO, LATE, SUCCESS, WARNING, Cell, Item, Section, Table

TITLE = "Mes candidatures aux appels à projets"
LISTED = 10
ACTIONS = 10
# A decision stays among the things to read for three months after its notification.
DECISION_DAYS = 90
A = ApplicationState
DECISION_BADGES = {A.LAUREATE: ("Lauréat", SUCCESS), A.WAITING_LIST: ("Liste d'attente", WARNING)}


def build(user, now) -> Section | None:
    if not user.organisation_id:
        return _empty(user)
    own = Application.objects.filter(organisation_id=user.organisation_id)
    listed = list(own.select_related("call").order_by("-created_at", "-pk")[:LISTED])
    if not listed:
        return _empty(user)
    today = timezone.localdate(now)
    section = Section("candidatures", TITLE, nothing="Aucune de vos candidatures n'attend d'action de votre part.")
    for request in (
        InformationRequest.objects.filter(
            application__organisation_id=user.organisation_id,
            application__state=A.INFO_REQUESTED,
            answered_at__isnull=True,
        )
        .select_related("application")
        .order_by("asked_at", "pk")[:ACTIONS]
    ):
        section.items.append(
            Item(
                f"Complément demandé sur « {request.application.title} »",
                reverse("calls:application-detail", args=[request.application_id]),
                f"Demandé {text.ago(request.asked_at, now)} : {Truncator(request.question).chars(160)}",
                "Réponse attendue",
                WARNING,
            )
        )
    for app in (
        own.filter(state=A.DRAFT, call__state=CallState.PUBLISHED, call__applications_deadline__gt=now)
        .select_related("call")
        .order_by("call__applications_deadline")[:ACTIONS]
    ):
        closes = timezone.localtime(app.call.applications_deadline)
        section.items.append(
            Item(
                f"Brouillon « {app.title} » à déposer",
                reverse("calls:application-edit", args=[app.pk]),
                f"Clôture des candidatures le {closes:%d/%m/%Y à %H:%M} ({text.when(closes.date(), today)}).",
                "Brouillon",
                INFO,
            )
        )
    since = now - datetime.timedelta(days=DECISION_DAYS)
    for app in own.filter(state__in=Application.DECIDED_STATES, notified_at__gte=since).order_by("-notified_at")[:ACTIONS]:
        label, level = DECISION_BADGES.get(app.state, (app.get_state_display(), ""))
        section.items.append(
            Item(
                f"Décision notifiée : « {app.title} »",
                reverse("calls:application-detail", args=[app.pk]),
                f"{app.get_state_display()}, notifiée {text.ago(app.notified_at, now)}.",
                label,
                level,
            )
        )
    section.items += _follow_up(own, today)
    section.tables.append(
        Table(
            "Mes candidatures, les plus récentes d'abord",
            ["Candidature", "Appel à projets", "État"],
            [
                [
                    Cell(f"{app.reference or 'Brouillon'} — {app.title}", reverse("calls:application-detail", args=[app.pk])),
                    Cell(app.call.title),
                    Cell(app.get_state_display(), badge=STATE_BADGES.get(app.state, "")),
                ]
                for app in listed
            ],
        )
    )
    section.links = [("Appels à projets ouverts", reverse("calls:index"))]
    return section


def _follow_up(own, today) -> list[Item]:
    """What a laureate's follow-up awaits from its carrier (one query): the project's start, its
    first indicator values once started, its final evaluation once ended."""
    laureates = (
        own.filter(state=A.LAUREATE, notified_at__isnull=False)
        .annotate(measured=Exists(IndicatorValue.objects.filter(indicator__application=OuterRef("pk"))))
        .order_by("end_date", "pk")[:ACTIONS]
    )
    items = []
    for app in laureates:
        url = reverse("calls:application-detail", args=[app.pk]) + "#suivi"
        if app.end_date and app.end_date < today and not app.final_evaluation:
            items.append(
                Item(
                    f"Évaluation finale à rédiger — « {app.title} »",
                    url,
                    f"Projet terminé le {app.end_date:%d/%m/%Y}.",
                    "Bilan attendu",
                    LATE,
                )
            )
        elif not app.project_started_on:
            items.append(
                Item(f"Date de démarrage à indiquer — « {app.title} »", url, "Projet lauréat : indiquez quand il a démarré.")
            )
        elif not app.measured:
            items.append(
                Item(
                    f"Premières valeurs des indicateurs à saisir — « {app.title} »",
                    url,
                    f"Projet démarré le {app.project_started_on:%d/%m/%Y}.",
                )
            )
    return items


def _empty(user) -> Section | None:
    """A carrier (role) without any application yet: where to find the open calls."""
    if not user.has_role(Role.APPLICANT):
        return None
    return Section(
        "candidatures",
        TITLE,
        items=[
            Item(
                "Découvrir les appels à projets ouverts", reverse("calls:index"), "Vous n'avez encore déposé aucune candidature."
            )
        ],
    )
