"""The registry's coverage per département as the national dashboard shows it (verified entries,
by priority, moderation backlog, population and centre), kept in `CoverageFigure`.

Aggregating the registry costs most of a second at a million entries, so it is not done while
a reader waits: `refresh()` writes a snapshot of every département, run by the scheduled job
`valorisation.tasks.refresh_coverage` (every REFRESH_MINUTES) and after a bulk load (benchmark,
demo). The dashboard reads the snapshot in one query and says how old it is. A snapshot
rather than counters kept up to date at each change: entries change state through the
registry workflow, but also by bulk imports and maintenance commands, and a recount can never
drift.
"""

from django.db.models import Avg, Count, F, Min, Sum
from django.utils import timezone

from tpj.core.public_cache import versions
from tpj.registry.models import Entry, MapAggregate, State
from tpj.territories.models import Commune, Departement

from .models import CoverageFigure

# How often the scheduled job refreshes the snapshot (tasks.py); the dashboard names the time.
REFRESH_MINUTES = 5
OLDEST_SCAN = 2000  # pending entries read in submission order before falling back to an aggregate
FIGURE_FIELDS = [
    "region",
    "population",
    "located_communes",
    "latitude",
    "longitude",
    "verified",
    "verified_by_priority",
    "backlog",
    "oldest_submitted",
    "computed_at",
]


def _backlog(pending) -> dict:
    """{département: (pending entries, oldest submission)}.

    The counts come from an index-only aggregate. The oldest submission per département
    is found by reading the queue in submission order (index on state, submitted_at)
    until every département with a backlog has been seen — usually a few hundred rows —
    and, for the départements not met within OLDEST_SCAN rows, by an aggregate restricted
    to them. Same result as MIN(submitted_at) GROUP BY département, without reading every
    pending row's page.
    """
    counts = dict(pending.values_list("departement_id").annotate(n=Count("id")).values_list("departement_id", "n"))
    oldest = {}
    for code, submitted_at in pending.order_by("submitted_at").values_list("departement_id", "submitted_at")[:OLDEST_SCAN]:
        oldest.setdefault(code, submitted_at)
        if len(oldest) == len(counts):
            break
    remaining = set(counts) - set(oldest)
    if remaining:
        oldest.update(
            pending.filter(departement_id__in=remaining)
            .values_list("departement_id")
            .annotate(first=Min("submitted_at"))
            .values_list("departement_id", "first")
        )
    return {code: (n, oldest.get(code)) for code, n in counts.items()}


def compute() -> list[CoverageFigure]:
    """The coverage of every département from the live data (unsaved rows, one `computed_at`).

    Verified entries come from the registry's map counts (MapAggregate, département level,
    maintained at each publication), the backlog from the entries waiting for moderation, the
    population and centre from the communes (COG)."""
    now = timezone.now()
    figures = {
        code: CoverageFigure(departement_id=code, region_id=region, verified_by_priority={}, computed_at=now)
        for code, region in Departement.objects.values_list("code", "region_id")
    }
    communes = Commune.objects.values("departement_id").annotate(
        population=Sum("population"), located=Count("latitude"), latitude=Avg("latitude"), longitude=Avg("longitude")
    )
    for c in communes:
        if figure := figures.get(c["departement_id"]):
            figure.population, figure.located_communes = c["population"] or 0, c["located"]
            figure.latitude, figure.longitude = c["latitude"], c["longitude"]
    # priority first: SQLite then walks the (level, priority, cell) index instead of scanning the whole table
    counts = MapAggregate.objects.filter(level="D").values("priority", "departement_id").annotate(n=Sum("count"))
    for c in counts:
        if figure := figures.get(c["departement_id"]):
            if c["priority"] == 0:
                figure.verified = c["n"]
            else:
                figure.verified_by_priority[str(c["priority"])] = c["n"]
    pending = Entry.objects.filter(state=State.SUBMITTED, departement__isnull=False)
    for code, (n, oldest) in _backlog(pending).items():
        if figure := figures.get(code):
            figure.backlog, figure.oldest_submitted = n, oldest
    return list(figures.values())


def refresh() -> int:
    """Recompute the coverage of every département and store it (one upsert); return the rows written.

    Safe to run concurrently (two workers, or a first display racing the job): each writes a
    complete snapshot, the last one stays."""
    figures = compute()
    CoverageFigure.objects.bulk_create(figures, update_conflicts=True, unique_fields=["departement"], update_fields=FIGURE_FIELDS)
    versions.bump(versions.DASHBOARD)  # a bulk write: no signal (public_version.DASHBOARD_MODELS)
    return len(figures)


def snapshot(regions: list[str] | None = None) -> list[dict]:
    """The stored coverage of the départements of `regions` (None: all), with their names, in
    one query (dicts of FIGURE_FIELDS, `departement_id`, `name`: the dashboard reads it at each
    display, models would cost more than the query). On a fresh install, before the scheduled
    job has run, computes and stores it once."""
    figures = CoverageFigure.objects.order_by("departement_id")
    if regions is not None:
        figures = figures.filter(region_id__in=regions)
    figures = figures.values("departement_id", "region_id", *FIGURE_FIELDS[1:], name=F("departement__name"))
    rows = list(figures)
    if not rows and not CoverageFigure.objects.exists():
        refresh()
        rows = list(figures.all())
    return rows
