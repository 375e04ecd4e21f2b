"""The national team's section: the current campaign's declarations of intent and laureate lists
(late ones first), the national measures whose deployments have not been updated lately, and
the national dashboard."""

import datetime

from django.apps import apps
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from tpj.calls.models import CallState
from tpj.calls.services.campaigns import current_campaign, declaration_board
from tpj.core.text import french_plural

from .. import text
from .base import INFO, LATE, WARNING, Cell, Item, Section, Table

TITLE = "Pilotage national"
# A measure whose last deployment was recorded longer ago than this is « à mettre à jour ».
MEASURE_STALE_DAYS = 90
NAMED = 6  # agencies or régions named in an item's detail; « … et 4 autres » for the rest


def build(user, now) -> Section | None:
    if not user.is_national_team:
        return None
    today = timezone.localdate(now)
    section = Section("national", TITLE, nothing="Ni déclaration, ni transmission, ni mesure n'est en retard.")
    campaign = current_campaign()
    if campaign is not None:
        board = reverse("calls:campaign-board", args=[campaign.pk])
        section.items += _declarations(campaign, board, today)
        section.items += _transmissions(campaign, board, today)
    section.items += _stale_measures(section, now)
    # Late first, then what is due, then the rest (stable: each group keeps its order).
    urgency = {LATE: 0, WARNING: 1}
    section.items.sort(key=lambda item: urgency.get(item.level, 2))
    section.links = [
        ("Tableau de bord national", reverse("valorisation:dashboard")),
        ("Campagnes nationales", reverse("calls:campaigns")),
        ("Mesures nationales", reverse("valorisation:measures")),
    ]
    return section


def _named(labels) -> str:
    labels = list(labels)
    shown = ", ".join(labels[:NAMED])
    rest = len(labels) - NAMED
    return shown + (f" et {rest} autre{french_plural(rest)}" if rest > 0 else "")


def _declarations(campaign, board, today) -> list[Item]:
    """The agencies' declarations of intent, as the campaign board counts them (two queries)."""
    rows = declaration_board(campaign)
    missing = [r for r in rows if r.status in ("missing", "pending")]
    late = [r for r in rows if r.status == "late"]
    items = []
    if missing:
        n = len(missing)
        overdue = text.is_late(campaign.intent_deadline, today)
        items.append(
            Item(
                f"{n} agence{french_plural(n)} sans déclaration d'intention — campagne {campaign.year}",
                board,
                f"{text.deadline(campaign.intent_deadline, today).capitalize()} : "
                + _named(f"{r.agency} {r.region.name}" for r in missing),
                *(("En retard", LATE) if overdue else ("En attente", WARNING)),
            )
        )
    if late:
        n = len(late)
        items.append(
            Item(
                f"{n} déclaration{french_plural(n)} d'intention reçue{french_plural(n)} en retard — campagne {campaign.year}",
                board,
                _named(f"{r.agency} {r.region.name}" for r in late),
                "Reçue en retard",
                INFO,
            )
        )
    return items


def _transmissions(campaign, board, today) -> list[Item]:
    """The laureate lists of the campaign's calls still to transmit, and those transmitted late (one query)."""
    calls = list(campaign.calls.select_related("region").order_by("region__name", "strand"))
    waiting = [c for c in calls if c.state != CallState.TRANSMITTED]
    late = [c for c in calls if c.state == CallState.TRANSMITTED and c.transmitted_late]
    items = []
    if waiting:
        n = len(waiting)
        overdue = text.is_late(campaign.transmission_deadline, today)
        items.append(
            Item(
                f"{n} liste{french_plural(n)} de lauréats à recevoir — campagne {campaign.year}",
                board,
                f"{text.deadline(campaign.transmission_deadline, today).capitalize()} : "
                + _named(f"{c.region.name} ({c.get_strand_display().split(' — ')[0]})" for c in waiting),
                *(("En retard", LATE) if overdue else ("", "")),
            )
        )
    if late:
        n = len(late)
        items.append(
            Item(
                f"{n} liste{french_plural(n)} de lauréats transmise{french_plural(n)} en retard — campagne {campaign.year}",
                board,
                _named(c.region.name for c in late),
                "Transmise en retard",
                INFO,
            )
        )
    return items


def _stale_measures(section, now) -> list[Item]:
    """The national measures without a deployment recorded for MEASURE_STALE_DAYS (one query):
    one item, and their table in `section`.

    Module 3 sits beside this one in the layers (neither imports the other): its model is
    looked up by name."""
    measure_model = apps.get_model("valorisation", "Measure")
    cutoff = now - datetime.timedelta(days=MEASURE_STALE_DAYS)
    measures = measure_model.objects.annotate(last=Max("deployments__created_at")).order_by("position")
    stale = [m for m in measures if m.last is None or m.last < cutoff]
    if not stale:
        return []
    n = len(stale)
    section.tables.append(
        Table(
            "Mesures nationales à mettre à jour",
            ["Mesure", "Dernier déploiement saisi"],
            [
                [
                    Cell(m.title, reverse("valorisation:measure", args=[m.slug])),
                    Cell(_recorded(m.last, now) if m.last else "aucun"),
                ]
                for m in stale
            ],
        )
    )
    return [
        Item(
            f"{n} mesure{french_plural(n)} nationale{french_plural(n)} à mettre à jour",
            reverse("valorisation:measures"),
            f"Aucun déploiement saisi depuis {text.days(MEASURE_STALE_DAYS)} : " + _named(m.title for m in stale),
            "À mettre à jour",
            WARNING,
        )
    ]


def _recorded(moment, now) -> str:
    day = timezone.localdate(moment)
    return f"le {day:%d/%m/%Y} ({text.when(day, timezone.localdate(now))})"
