"""The national dashboard: one row per région (and per département for registry coverage),
computed from live data with a fixed number of aggregate queries whatever the volume.

Sources: Module 2 (campaign deadlines, declarations of intent, calls and their calendar,
envelopes, applications, laureates by axis, transmission) and Module 1 (verified entries
per priority from the registry's live map counts `MapAggregate`, moderation backlog),
related to population (sum of the communes' population, COG) and, when a births table has
been imported, to births.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Min, Q, Sum
from django.utils import timezone

from tpj.calls.models import Application, Call, Campaign, Envelope, EnvelopeRequest, IntentDeclaration
from tpj.core import policy
from tpj.nomenclatures.models import Axis, Priority
from tpj.registry.models import Entry, MapAggregate, State
from tpj.territories.models import Commune, Departement, Region

from .models import BirthsTable
from .permissions import regions_in_scope

ZERO = Decimal("0.00")
PER_POPULATION = 100_000
PER_BIRTHS = 1_000

# Indicators the map can be coloured by: key -> (label, attribute of a row).
INDICATORS = {
    "verified_per_100k": "Fiches vérifiées pour 100 000 habitants",
    "verified": "Fiches vérifiées",
    "backlog": "Fiches en attente de modération",
    "backlog_age": "Ancienneté de la plus vieille fiche en attente (jours)",
    "applications": "Candidatures déposées",
    "laureates": "Projets lauréats",
    "allocated": "Montant attribué (€)",
}


@dataclass
class CallSummary:
    pk: int
    strand: str
    state: str
    state_code: str
    publication_date: object
    applications_deadline: object
    laureates_date: object
    transmitted_at: object
    warnings: list
    minimum: Decimal = ZERO
    endowment: Decimal = ZERO

    @property
    def minimum_reached(self) -> bool:
        return self.endowment >= self.minimum


@dataclass
class Row:
    code: str
    name: str
    latitude: float = 0.0
    longitude: float = 0.0
    population: int = 0
    births: int | None = None
    declarations: list = field(default_factory=list)
    calls: list = field(default_factory=list)
    dotation: Decimal = ZERO
    top_up: Decimal = ZERO
    allocated: Decimal = ZERO
    applications: int = 0
    laureates: int = 0
    laureates_by_axis: dict = field(default_factory=dict)
    verified: int = 0
    verified_by_priority: dict = field(default_factory=dict)
    backlog: int = 0
    oldest_submitted: object = None

    @property
    def remaining(self) -> Decimal:
        return self.dotation + self.top_up - self.allocated

    @property
    def minimum_reached(self) -> bool | None:
        """True when every call of the région endows its laureates with at least its minimum."""
        return all(c.minimum_reached for c in self.calls) if self.calls else None

    @property
    def transmitted_at(self):
        dates = [c.transmitted_at for c in self.calls if c.transmitted_at]
        return max(dates) if dates else None

    @property
    def verified_per_100k(self) -> float | None:
        return round(PER_POPULATION * self.verified / self.population, 1) if self.population else None

    @property
    def verified_per_1000_births(self) -> float | None:
        return round(PER_BIRTHS * self.verified / self.births, 1) if self.births else None

    @property
    def backlog_age(self) -> int | None:
        return (timezone.now() - self.oldest_submitted).days if self.oldest_submitted else None

    def indicator(self, key: str):
        value = getattr(self, key)
        return float(value) if isinstance(value, Decimal) else value


@dataclass
class Dashboard:
    campaign: object
    rows: list
    departements: list
    axes: list
    priorities: list
    births_table: object = None

    @property
    def totals(self) -> dict:
        rows = self.rows
        return {
            "dotation": sum((r.dotation for r in rows), ZERO),
            "top_up": sum((r.top_up for r in rows), ZERO),
            "allocated": sum((r.allocated for r in rows), ZERO),
            "remaining": sum((r.remaining for r in rows), ZERO),
            "applications": sum(r.applications for r in rows),
            "laureates": sum(r.laureates for r in rows),
            "verified": sum(r.verified for r in rows),
            "backlog": sum(r.backlog for r in rows),
            "declared_regions": sum(1 for r in rows if r.declarations),
            "transmitted_regions": sum(1 for r in rows if r.transmitted_at),
        }


def _territory_reference() -> dict:
    """Population and centre (mean of commune points) of every région and département. Reference data: cached."""
    key = "valorisation:territory-reference:v1"
    data = cache.get(key)
    if data is None:
        regions = {
            r["region_id"]: r
            for r in Commune.objects.values("region_id").annotate(
                population=Sum("population"), latitude=Avg("latitude"), longitude=Avg("longitude")
            )
        }
        departements = {
            d["departement_id"]: d
            for d in Commune.objects.values("departement_id").annotate(
                population=Sum("population"), latitude=Avg("latitude"), longitude=Avg("longitude")
            )
        }
        data = {"regions": regions, "departements": departements}
        cache.set(key, data, 3600)
    return data


def campaigns():
    """Every national campaign, newest first."""
    return Campaign.objects.order_by("-year")


def current_campaign(year=None):
    """The campaign of `year`, or the newest one; None when there is none."""
    qs = campaigns()
    return qs.filter(year=year).first() if year else qs.first()


class ScopeRefused(Exception):
    """The dashboard asked for is out of the user's scope, or malformed; its message is French."""


def dashboard_scope(user, params) -> tuple[list[str] | None, object]:
    """(régions the user may see, restricted by ?region=, campaign chosen by ?annee=). Raises ScopeRefused (French).

    Shared by the pages, the CSV exports and the API, so that they are scoped alike."""
    region = (params.get("region") or "").strip()
    if region:
        decision = policy.check(user, "valorisation.view_dashboard", region)
        if not decision:
            raise ScopeRefused(decision.reason)
        regions = [region]
    else:
        regions = regions_in_scope(user)
    year = (params.get("annee") or "").strip()
    if year and not year.isdigit():
        raise ScopeRefused("L'année demandée n'est pas valide.")
    campaign = current_campaign(int(year) if year else None)
    if year and campaign is None:
        raise ScopeRefused(f"Aucune campagne nationale {year}.")
    return regions, campaign


def build(*, regions: list[str] | None = None, campaign=None) -> Dashboard:
    """The dashboard restricted to `regions` (None: all) for `campaign` (None: no campaign data)."""
    reference = _territory_reference()
    region_qs = Region.objects.all() if regions is None else Region.objects.filter(code__in=regions)
    rows = {}
    for region in region_qs:
        ref = reference["regions"].get(region.code, {})
        rows[region.code] = Row(
            code=region.code,
            name=region.name,
            latitude=ref.get("latitude") or 0.0,
            longitude=ref.get("longitude") or 0.0,
            population=ref.get("population") or 0,
        )
    births_table = BirthsTable.objects.first()
    if births_table:
        for code, births in births_table.counts.filter(region_id__in=rows).values_list("region_id", "births"):
            rows[code].births = births
    if campaign is not None:
        _add_calls(rows, campaign)
    departements = _add_registry(rows, scoped=regions is not None)
    return Dashboard(
        campaign=campaign,
        rows=list(rows.values()),
        departements=departements,
        axes=list(Axis.objects.all()),
        priorities=list(Priority.objects.all()),
        births_table=births_table,
    )


def _add_calls(rows: dict, campaign) -> None:
    codes = list(rows)
    for d in IntentDeclaration.objects.filter(campaign=campaign, region_id__in=codes).order_by("agency"):
        d.campaign = campaign
        rows[d.region_id].declarations.append(d)
    endowments = dict(
        EnvelopeRequest.objects.filter(application__call__campaign=campaign, application__state=Application.State.LAUREATE)
        .values("application__call_id")
        .annotate(total=Sum("amount_allocated"))
        .values_list("application__call_id", "total")
    )
    for call in Call.objects.filter(campaign=campaign, region_id__in=codes).order_by("strand"):
        call.campaign = campaign
        rows[call.region_id].calls.append(
            CallSummary(
                pk=call.pk,
                strand=call.get_strand_display(),
                state=call.get_state_display(),
                state_code=call.state,
                publication_date=call.publication_date,
                applications_deadline=call.applications_deadline,
                laureates_date=call.laureates_date,
                transmitted_at=call.transmitted_at,
                warnings=call.calendar_warnings(),
                minimum=campaign.minimum_for(call.strand),
                endowment=endowments.get(call.pk) or ZERO,
            )
        )
    for e in (
        Envelope.objects.filter(call__campaign=campaign, call__region_id__in=codes)
        .values("call__region_id")
        .annotate(dotation=Sum("national_dotation"), top_up=Sum("local_top_up"), allocated=Sum("allocated"))
    ):
        row = rows[e["call__region_id"]]
        row.dotation, row.top_up, row.allocated = e["dotation"] or ZERO, e["top_up"] or ZERO, e["allocated"] or ZERO
    applications = Application.objects.filter(call__campaign=campaign, call__region_id__in=codes).submitted()
    for a in applications.values("call__region_id").annotate(
        n=Count("id"), laureates=Count("id", filter=Q(state=Application.State.LAUREATE))
    ):
        rows[a["call__region_id"]].applications, rows[a["call__region_id"]].laureates = a["n"], a["laureates"]
    by_axis = applications.filter(state=Application.State.LAUREATE).values("call__region_id", "call_axes__national_axes__number")
    for a in by_axis.annotate(n=Count("id", distinct=True)):
        if a["call_axes__national_axes__number"] is not None:
            rows[a["call__region_id"]].laureates_by_axis[a["call_axes__national_axes__number"]] = a["n"]


@dataclass
class DepartementRow:
    code: str
    name: str
    region_code: str
    latitude: float
    longitude: float
    population: int
    verified: int = 0
    backlog: int = 0
    oldest_submitted: object = None
    verified_by_priority: dict = field(default_factory=dict)

    verified_per_100k = Row.verified_per_100k
    backlog_age = Row.backlog_age
    indicator = Row.indicator


OLDEST_SCAN = 2000  # pending entries read in submission order before falling back to an aggregate


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


def coverage_ttl() -> int:
    """Seconds the registry coverage figures are reused (settings.VALORISATION_COVERAGE_CACHE_SECONDS, default 60; 0: never)."""
    return getattr(settings, "VALORISATION_COVERAGE_CACHE_SECONDS", 60)


def _registry_figures(departement_codes: list[str], scoped: bool) -> dict:
    """{département: (verified, verified by priority, pending, oldest pending)} from the registry's live data.

    Recomputed at most every `coverage_ttl()` seconds per scope: on a million entries
    these two aggregates are most of the dashboard's cost, and a minute's delay on
    registry counts is invisible to its readers (the page says so).
    """
    ttl = coverage_ttl()
    key = "valorisation:coverage:" + ("national" if not scoped else ",".join(sorted(departement_codes)))
    if ttl and (cached := cache.get(key)) is not None:
        return cached
    figures = {code: [0, {}, 0, None] for code in departement_codes}
    counts = MapAggregate.objects.filter(level="D")
    backlog = Entry.objects.filter(state=State.SUBMITTED, departement__isnull=False)
    if scoped:  # the whole country needs no territorial condition (and the planner then uses the state index alone)
        counts = counts.filter(departement_id__in=departement_codes)
        backlog = backlog.filter(departement_id__in=departement_codes)
    # priority first: SQLite then walks the (level, priority, cell) index instead of scanning the whole table
    for c in counts.values("priority", "departement_id").annotate(n=Sum("count")):
        figure = figures.get(c["departement_id"])
        if figure is None:
            continue
        if c["priority"] == 0:
            figure[0] = c["n"]
        else:
            figure[1][c["priority"]] = c["n"]
    for code, (n, oldest) in _backlog(backlog).items():
        if code in figures:
            figures[code][2:] = [n, oldest]
    if ttl:
        cache.set(key, figures, ttl)
    return figures


def _add_registry(rows: dict, scoped: bool = True) -> list[DepartementRow]:
    """Verified entries per priority (registry's live MapAggregate, département level) and moderation backlog."""
    reference = _territory_reference()["departements"]
    departements = {
        d.code: DepartementRow(
            code=d.code,
            name=d.name,
            region_code=d.region_id,
            latitude=reference.get(d.code, {}).get("latitude") or 0.0,
            longitude=reference.get(d.code, {}).get("longitude") or 0.0,
            population=reference.get(d.code, {}).get("population") or 0,
        )
        for d in Departement.objects.filter(region_id__in=list(rows))
    }
    figures = _registry_figures(list(departements), scoped)
    for code, (verified, by_priority, pending, oldest) in figures.items():
        dep = departements[code]
        dep.verified, dep.verified_by_priority, dep.backlog, dep.oldest_submitted = verified, dict(by_priority), pending, oldest
    for dep in departements.values():
        row = rows[dep.region_code]
        row.verified += dep.verified
        row.backlog += dep.backlog
        if dep.oldest_submitted and (row.oldest_submitted is None or dep.oldest_submitted < row.oldest_submitted):
            row.oldest_submitted = dep.oldest_submitted
        for number, n in dep.verified_by_priority.items():
            row.verified_by_priority[number] = row.verified_by_priority.get(number, 0) + n
    return sorted(departements.values(), key=lambda d: d.code)
