"""The training section (issue 20, journeys 4 and 5): the person's training plans, and the
bilans its training organisations have to declare. Shown only to a person who has a plan or
a bilan to declare: one query for the others, three for them."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists
from django.urls import reverse

from tpj.core.text import french_plural
from tpj.training.models import TrainingPlan
from tpj.training.services.reports import awaiting_report

from .base import WARNING, Cell, Item, Section, Table

TITLE = "Formations"
LISTED = 5  # plans in the table; « Mes plans de formation » lists them all
DUE_LISTED = 5  # bilans to declare, each an item


def build(user, now) -> Section | None:
    # One query for everybody (has the person a plan? a bilan to declare?), two more for those who do.
    mine = TrainingPlan.objects.owned_by(user)
    has_plans, has_due = (
        get_user_model().objects.filter(pk=user.pk).values_list(Exists(mine), Exists(awaiting_report(user))).get()
    )
    if not has_plans and not has_due:
        return None
    plans = list(mine.annotate(offer_count=Count("items"))[: LISTED + 1]) if has_plans else []
    due = list(awaiting_report(user)[: DUE_LISTED + 1]) if has_due else []
    section = Section("formations", TITLE, nothing="Rien ne vous attend : vos plans de formation sont ci-dessous.")
    for session in due[:DUE_LISTED]:
        section.items.append(
            Item(
                f"Déclarez le bilan de « {session.offer.title} »",
                reverse("training:session-report", args=[session.pk]),
                f"Session terminée le {session.end_date:%d/%m/%Y} : heures dispensées et participants.",
                "Bilan à déclarer",
                WARNING,
            )
        )
    if len(due) > DUE_LISTED:
        section.items.append(Item("D'autres bilans sont à déclarer", reverse("training:reports"), "Bilans des sessions"))
    if plans:
        rows = [
            [
                Cell(plan.name, reverse("training:plan", args=[plan.pk])),
                Cell(f"{plan.offer_count} offre{french_plural(plan.offer_count)}"),
            ]
            for plan in plans[:LISTED]
        ]
        section.tables.append(
            Table(
                "Mes plans de formation",
                ["Plan", "Offres"],
                rows,
                more_url=reverse("training:plans") if len(plans) > LISTED else "",
                more_label="Tous mes plans de formation",
            )
        )
    section.links = [("Mes plans de formation", reverse("training:plans"))]
    if due:
        section.links.append(("Bilans des sessions", reverse("training:reports")))
    return section
