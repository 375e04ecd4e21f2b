"""The moderator's section: the queue of my territory (how many, since when), the suspensions
proposed by the yearly review that await my decision, my imports running or failed."""

import datetime

from django.db.models import Count, Min, Q
from django.urls import reverse

from tpj.accounts.models import Role
from tpj.core.text import french_plural
from tpj.registry.models import Entry, ImportJob, State
from tpj.registry.services import ageing, review

from .. import text
from .base import INFO, LATE, WARNING, Item, Section

TITLE = "Modération de l'annuaire"
# A failed import stays on this page for a month: long enough to be seen and started again.
FAILED_IMPORTS_DAYS = 30
IMPORTS = 5


def build(user, now) -> Section | None:
    if not user.has_role(Role.MODERATOR):
        return None
    section = Section("moderation", TITLE, nothing="Aucune fiche n'attend votre décision.")
    # One aggregate over the queue index (state, submitted_at, région, département); the ones
    # waiting past the digest's threshold (services.ageing) counted in the same scan.
    late = Q(submitted_at__lte=now - datetime.timedelta(days=ageing.ageing_days()))
    queue = (
        Entry.objects.moderated_by(user)
        .filter(state=State.SUBMITTED)
        .aggregate(n=Count("*"), late=Count("submitted_at", filter=late), oldest=Min("submitted_at"))
    )
    if queue["n"]:
        n, late_count = queue["n"], queue["late"]
        detail = f"la plus ancienne {text.age(queue['oldest'], now)}" if queue["oldest"] else ""
        if late_count:
            detail += f" ; {late_count} depuis plus de {text.days(ageing.ageing_days())}"
        section.items.append(
            Item(
                f"{n} fiche{french_plural(n)} en attente de vérification",
                reverse("registry:moderation"),
                detail,
                *(("En retard", LATE) if late_count else ("", "")),
            )
        )
    # The suspensions the yearly review proposed (its partial index: few rows).
    proposed = review.proposed_suspensions(user).order_by().aggregate(n=Count("pk"), oldest=Min("review_requested_at"))
    if proposed["n"]:
        n = proposed["n"]
        section.items.append(
            Item(
                f"{n} fiche{french_plural(n)} à réexaminer : suspension proposée faute de confirmation annuelle",
                reverse("registry:review-queue"),
                f"confirmation demandée aux membres {text.ago(proposed['oldest'], now)}" if proposed["oldest"] else "",
                "À décider",
                WARNING,
            )
        )
    since = now - datetime.timedelta(days=FAILED_IMPORTS_DAYS)
    unfinished = Q(status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING])
    recently_failed = Q(status=ImportJob.Status.FAILED, created_at__gte=since)
    jobs = ImportJob.objects.visible_to(user).filter(unfinished | recently_failed).order_by("-created_at")[:IMPORTS]
    for job in jobs:
        section.items.append(_import_item(job, now))
    section.links = [
        ("File de modération", reverse("registry:moderation")),
        ("Revue annuelle", reverse("registry:review-queue")),
        ("Importer des fiches (CSV)", reverse("registry:import")),
    ]
    return section


def _import_item(job: ImportJob, now) -> Item:
    url = reverse("registry:import-job", args=[job.pk])
    started = text.ago(job.created_at, now)
    if job.status == ImportJob.Status.FAILED:
        return Item(f"Import « {job.source} » en échec", url, f"lancé {started}. {job.message}".strip(), "Échec", LATE)
    return Item(
        f"Import « {job.source} » {job.get_status_display().lower()} : {job.progress_percent} %",
        url,
        f"lancé {started} — {job.next_row} ligne{french_plural(job.next_row)} sur {job.total_rows} traitée{french_plural(job.next_row)}",
        job.get_status_display(),
        INFO,
    )
