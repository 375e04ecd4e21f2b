"""The call manager's section: declarations of intent due, my calls by stage, applications to
instruct, answers to information requests awaiting me, the jury's progress (scores missing per
juror), the laureates' endowment against the national minimum, the lists to transmit."""

from collections import defaultdict

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from tpj.accounts.models import Role
from tpj.calls.models import ApplicationState, Call, CallState, Campaign, IntentDeclaration, agency_of
from tpj.calls.services import instruction_team
from tpj.calls.services.allocations import minimum_progress
from tpj.calls.services.jury import without_jurors_q
from tpj.calls.services.reminders import sheets_to_score
from tpj.calls.templatetags.calls_tags import STATE_BADGES
from tpj.core import policy
from tpj.core.text import french_plural

from .. import text
from .base import INFO, LATE, SUCCESS, WARNING, Cell, Item, Section, Table

TITLE = "Appels à projets que je gère"
LISTED = 10  # calls in the table and in the items; « Tous les appels » shows the others
A = ApplicationState


def build(user, now) -> Section | None:
    seats = instruction_team.seats(user)
    if not user.has_role(Role.CALL_MANAGER):
        return _instructor_section(seats, now)
    today = timezone.localdate(now)
    section = Section("appels", TITLE, nothing="Aucun appel n'attend d'action de votre part.")
    section.items += _declarations_due(user, today) + _to_instruct(seats, now)
    answered = Q(applications__state=A.SUBMITTED, applications__information_requests__answered_at__isnull=False)
    calls = list(
        Call.objects.managed_by(user)
        .exclude(state=CallState.TRANSMITTED)
        .select_related("campaign", "region")
        .annotate(
            to_instruct=Count("applications", filter=Q(applications__state=A.SUBMITTED), distinct=True),
            oldest_submitted=Min("applications__submitted_at", filter=Q(applications__state=A.SUBMITTED)),
            answers=Count("applications", filter=answered, distinct=True),
            oldest_answer=Min("applications__information_requests__answered_at", filter=answered),
            received=Count("applications", filter=~Q(applications__state=A.DRAFT), distinct=True),
            without_jurors=Count("applications", filter=without_jurors_q("applications__"), distinct=True),
        )
        .order_by("-campaign__year", "region__name", "strand")[:LISTED]
    )
    missing = _missing_scores([c.pk for c in calls if c.state == CallState.CLOSED])
    progress = minimum_progress([c for c in calls if c.state == CallState.CLOSED])
    for call in calls:
        section.items += _call_items(call, now, today, missing.get(call.pk, []), progress.get(call.pk))
    if calls:
        section.tables.append(
            Table(
                "Mes appels en cours, par étape",
                ["Appel", "Campagne", "Étape", "Candidatures reçues"],
                [
                    [
                        Cell(call.title, reverse("calls:call-detail", args=[call.pk])),
                        Cell(str(call.campaign.year)),
                        Cell(call.get_state_display(), badge=STATE_BADGES.get(call.state, "")),
                        Cell(str(call.received)),
                    ]
                    for call in calls
                ],
            )
        )
    section.links = [("Tous les appels à projets", reverse("calls:index"))]
    if policy.check(user, "calls.create_call"):
        section.links.append(("Créer un appel", reverse("calls:call-create")))
    return section


def _declarations_due(user, today) -> list[Item]:
    """Open campaigns without my agency's declaration of intent (one query)."""
    if not policy.check(user, "calls.declare_intent"):
        return []
    org = user.organisation
    declared = IntentDeclaration.objects.filter(region_id=org.region_id, agency=agency_of(org)).values("campaign_id")
    campaigns = Campaign.objects.filter(state=Campaign.State.OPEN).exclude(pk__in=declared).order_by("year")
    return [
        Item(
            f"Déclaration d'intention de la campagne {campaign.year} à faire",
            reverse("calls:declare"),
            f"{org} : {text.deadline(campaign.intent_deadline, today)}",
            *(("En retard", LATE) if text.is_late(campaign.intent_deadline, today) else ("À faire", WARNING)),
        )
        for campaign in campaigns
    ]


def _missing_scores(call_ids) -> dict[int, list[tuple[str, int]]]:
    """{call id: [(juror, scores missing)…]}, the jurors with most missing first (one query)."""
    if not call_ids:
        return {}
    rows = (
        sheets_to_score()
        .filter(application__call_id__in=call_ids)
        .values("application__call_id", "member__user__first_name", "member__user__last_name", "member__user__email")
        .annotate(n=Count("pk"))
        .order_by("application__call_id", "-n", "member__user__last_name")
    )
    missing = defaultdict(list)
    for row in rows:
        name = f"{row['member__user__first_name']} {row['member__user__last_name']}".strip() or row["member__user__email"]
        missing[row["application__call_id"]].append((name, row["n"]))
    return missing


def _call_items(call: Call, now, today, missing, progress) -> list[Item]:
    items = []
    applications = reverse("calls:call-applications", args=[call.pk])
    if call.to_instruct:
        n = call.to_instruct
        items.append(
            Item(
                f"{n} candidature{french_plural(n)} à instruire — {call.title}",
                f"{applications}?etat={A.SUBMITTED}",
                f"la plus ancienne déposée {text.ago(call.oldest_submitted, now)}" if call.oldest_submitted else "",
            )
        )
    if call.answers:
        n = call.answers
        items.append(
            Item(
                f"{n} réponse{french_plural(n)} à une demande de complément à examiner — {call.title}",
                f"{applications}?etat={A.SUBMITTED}",
                f"la plus ancienne reçue {text.ago(call.oldest_answer, now)}" if call.oldest_answer else "",
                "Réponse reçue",
                INFO,
            )
        )
    if call.without_jurors and call.state in (CallState.PUBLISHED, CallState.CLOSED):
        n = call.without_jurors
        items.append(
            Item(
                f"{n} dossier{french_plural(n)} sans juré pour {french_plural(n, 'le', 'les')} noter — {call.title}",
                reverse("calls:jury", args=[call.pk]),
                "Tous les membres du jury sont récusés : ajoutez un membre au jury, puis attribuez à nouveau les dossiers.",
                "À faire",
                WARNING,
            )
        )
    if call.state == CallState.CLOSED:
        if missing:
            total = sum(n for _, n in missing)
            jurors = ", ".join(f"{name} : {n}" for name, n in missing)
            items.append(
                Item(
                    f"Jury : {total} notation{french_plural(total)} manquante{french_plural(total)} — {call.title}",
                    reverse("calls:jury", args=[call.pk]),
                    f"{jurors}" + (f" ; jury le {call.jury_date:%d/%m/%Y}" if call.jury_date else ""),
                )
            )
        items.append(_endowment_item(call, progress))
        deadline = call.campaign.laureates_deadline
        items.append(
            Item(
                f"Lauréats à désigner — {call.title}",
                reverse("calls:allocation", args=[call.pk]),
                f"Échéance nationale : {text.deadline(deadline, today)}",
                *(("En retard", LATE) if text.is_late(deadline, today) else ("", "")),
            )
        )
    if call.state == CallState.LAUREATES_DECIDED:
        deadline = call.campaign.transmission_deadline
        items.append(
            Item(
                f"Liste des lauréats à transmettre à l'équipe nationale — {call.title}",
                reverse("calls:call-detail", args=[call.pk]),
                f"Échéance nationale : {text.deadline(deadline, today)}",
                *(("En retard", LATE) if text.is_late(deadline, today) else ("À faire", WARNING)),
            )
        )
    return items


def _endowment_item(call: Call, progress) -> Item:
    """« 160 000 € sur 200 000 € — il manque 40 000 € »: the laureates' State endowment against the
    national minimum (or the one a national derogation accepts), as `checks.laureates_problems` checks it."""
    url = reverse("calls:allocation", args=[call.pk])
    title = f"Dotation des lauréats — {call.title}"
    if progress.reached:
        return Item(title, url, progress.sentence, "Atteint", SUCCESS)
    return Item(title, url, progress.sentence, "Minimum non atteint", WARNING)


def _to_instruct(seats, now) -> list[Item]:
    """« Dossiers à instruire »: the files given to the user for instruction, per call."""
    url = reverse("calls:my-instruction")
    return [
        Item(
            f"{seat['n']} dossier{french_plural(seat['n'])} à instruire — {seat['call__title']}",
            url,
            f"le plus ancien déposé {text.ago(seat['oldest'], now)}" if seat["oldest"] else "",
        )
        for seat in seats
        if seat["n"]
    ]


def _instructor_section(seats, now) -> Section | None:
    """A member of an instruction team who manages no call: the files given to them (None: on no team)."""
    if not seats:
        return None
    section = Section(
        "instruction",
        "Dossiers à instruire",
        items=_to_instruct(seats, now),
        nothing="Aucun dossier ne vous est attribué pour instruction.",
    )
    section.links = [("Dossiers à instruire", reverse("calls:my-instruction"))]
    return section
