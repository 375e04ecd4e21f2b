"""The juror's section: per call where I sit, the files left to score, the conflicts of interest
to declare first, and when scoring opens (the applications' deadline) and closes (the jury)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from tpj.accounts.models import Role
from tpj.calls.models import CallState, JuryMember
from tpj.calls.services.reminders import sheets_to_score
from tpj.core.text import french_plural

from .. import text
from .base import INFO, LATE, WARNING, Item, Section

TITLE = "Jurys où je siège"
SEATS = 10


def build(user, now) -> Section | None:
    seats = list(
        JuryMember.objects.filter(user=user, call__state__in=[CallState.PUBLISHED, CallState.CLOSED])
        .select_related("call")
        .order_by("call__jury_date", "call__pk")[:SEATS]
    )
    if not seats and not user.has_role(Role.JURY_MEMBER):
        return None
    today = timezone.localdate(now)
    section = Section("jury", TITLE, nothing="Aucun dossier ne vous est attribué pour l'instant.")
    # The files the scheduled reminders count (services.reminders.sheets_to_score), split in two:
    # the declaration of interests comes first, then the scores.
    pending = {
        row["application__call_id"]: row
        for row in sheets_to_score()
        .filter(member__user=user)
        .values("application__call_id")
        .annotate(
            to_declare=Count("pk", filter=Q(conflict_declared_at__isnull=True)),
            to_score=Count("pk", filter=Q(conflict_declared_at__isnull=False)),
        )
        .order_by()
    }
    url = reverse("calls:my-jury")
    for seat in seats:
        call = seat.call
        counts = pending.get(call.pk, {})
        if call.state == CallState.PUBLISHED:
            opens = timezone.localtime(call.applications_deadline) if call.applications_deadline else None
            section.items.append(
                Item(
                    f"Notation à venir — {call.title}",
                    url,
                    f"La notation ouvrira après la clôture des candidatures, le {opens:%d/%m/%Y à %H:%M}."
                    if opens
                    else "La notation ouvrira après la clôture des candidatures.",
                    "À venir",
                    INFO,
                )
            )
            continue
        closes = (
            f"jury le {call.jury_date:%d/%m/%Y} ({text.when(call.jury_date, today)})"
            if call.jury_date
            else "date du jury non fixée"
        )
        late = bool(call.jury_date and text.is_late(call.jury_date, today))
        if n := counts.get("to_declare"):
            section.items.append(
                Item(
                    f"{n} déclaration{french_plural(n)} d'intérêts à faire — {call.title}",
                    url,
                    f"À faire avant de noter ; {closes}.",
                    "À faire",
                    WARNING,
                )
            )
        if n := counts.get("to_score"):
            section.items.append(
                Item(
                    f"{n} dossier{french_plural(n)} à noter — {call.title}",
                    url,
                    f"Notation ouverte jusqu'au jury ; {closes}.",
                    *(("En retard", LATE) if late else ("", "")),
                )
            )
    section.links = [("Mes dossiers à noter", url)]
    return section
