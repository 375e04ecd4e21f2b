"""The national dashboard: one row per région (and per département for registry coverage),
computed from live data with a fixed number of aggregate queries whatever the volume.

Sources: Module 2, read live (campaign deadlines, declarations of intent, calls and their
calendar, envelopes, applications, laureates by axis, transmission) and Module 1, from the
coverage snapshot refreshed by a scheduled job (coverage.py: verified entries per priority,
moderation backlog, population and centre of each département), related to population and,
when a births table has been imported, to births.
"""

import hashlib
import pickle
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tpj.calls.models import Application, Call, Campaign, Envelope, EnvelopeRequest, IntentDeclaration, MinimumDerogation
from tpj.core import policy
from tpj.core.public_cache import versions
from tpj.core.public_cache.models import PublicVersion
from tpj.nomenclatures.models import Axis, Priority
from tpj.territories.models import Region

from . import coverage
from .models import BirthsTable, CoverageFigure
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
    accepted: Decimal | None = None  # the endowment a granted national derogation accepts instead

    @property
    def minimum_reached(self) -> bool:
        return self.endowment >= (self.minimum if self.accepted is None else self.accepted)


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
    located_communes: int = 0

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
    # When the registry figures were computed (coverage snapshot); None when there is no département.
    coverage_at: object = None
    # The national derogations to the minimum of the campaign's calls (asked, granted, refused).
    derogations: list = field(default_factory=list)

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


def campaigns():
    """Every national campaign, newest first."""
    return Campaign.objects.order_by("-year")


def current_campaign(year=None):
    """The campaign of `year`, or the newest one; None when there is none."""
    qs = campaigns()
    return qs.filter(year=year).first() if year else qs.first()


# How long a rendered page body is kept; its key changes anyway whenever a figure does.
BODY_CACHE_SECONDS = 600


def data_version() -> tuple:
    """What the dashboard's figures depend on, read in one query: the `dashboard` content
    version (bumped after every commit that changes a campaign, declaration, call,
    envelope, application, births table or territory: `public_version.DASHBOARD_MODELS`,
    and by each coverage refresh) and the date of the latest coverage snapshot."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [versions.DASHBOARD])
        return cursor.fetchone()


_VERSION_SQL = (
    f"SELECT (SELECT version FROM {PublicVersion._meta.db_table} WHERE scope = %s), "
    f"(SELECT MAX(computed_at) FROM {CoverageFigure._meta.db_table})"
)


def body_key(scope: list[str] | None, params, version: tuple) -> str:
    """Cache key of the page body shown to a viewer whose scope is `scope` (regions_in_scope:
    None for the whole country), asking `params`, at the data `version` (`data_version`).

    A warm display reads the version, not the figures: any change they depend on gives
    another version (a write bumps it once its transaction commits, whatever process made
    it), hence another key. Today's date is in the key (the ages in days, calendar
    warnings); two viewers share a body only when they have the same scope and filters."""
    key = pickle.dumps(
        (
            scope,
            sorted(params.lists()),
            version,
            timezone.localdate(),
            settings.MAP_TILES_URL,
            settings.MAP_TILES_ATTRIBUTION,
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    return "valorisation:dashboard-body:" + hashlib.blake2b(key, digest_size=20).hexdigest()


class ScopeRefused(Exception):
    """The dashboard asked for is out of the user's scope, or malformed; its message is French."""


def dashboard_scope(user, params) -> tuple[list[str] | None, object]:
    """(régions the user may see, restricted by ?region=, campaign chosen by ?annee=). Raises ScopeRefused (French).

    Shared by the pages, the CSV exports and the API, so that they are scoped alike."""
    regions = dashboard_regions(user, params)
    year = (params.get("annee") or "").strip()
    campaign = current_campaign(int(year) if year else None)
    if year and campaign is None:
        raise ScopeRefused(f"Aucune campagne nationale {year}.")
    return regions, campaign


def dashboard_regions(user, params) -> list[str] | None:
    """The régions of `dashboard_scope`, and its checks of the parameters, without reading
    the campaign. Raises ScopeRefused (French)."""
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
    return regions


def build(*, regions: list[str] | None = None, campaign=None) -> Dashboard:
    """The dashboard restricted to `regions` (None: all) for `campaign` (None: no campaign data).

    The calls' figures are read live (small tables); the registry's from the coverage snapshot."""
    region_qs = Region.objects.all() if regions is None else Region.objects.filter(code__in=regions)
    rows = {code: Row(code=code, name=name) for code, name in region_qs.values_list("code", "name")}
    births_table = BirthsTable.objects.first()
    if births_table:
        for code, births in births_table.counts.filter(region_id__in=rows).values_list("region_id", "births"):
            rows[code].births = births
    derogations = []
    if campaign is not None:
        _add_calls(rows, campaign)
        derogations = _add_derogations(rows, campaign)
    departements, coverage_at = _add_registry(rows, regions)
    return Dashboard(
        campaign=campaign,
        rows=list(rows.values()),
        departements=departements,
        axes=list(Axis.objects.all()),
        priorities=list(Priority.objects.all()),
        births_table=births_table,
        coverage_at=coverage_at,
        derogations=derogations,
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
                minimum=call.minimum_endowment,  # none for a kind without a national minimum
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


def _add_derogations(rows: dict, campaign) -> list:
    """The derogations to the minimum of the campaign's calls in `rows`' régions, by région then
    newest first (one query); a granted one lowers its call's minimum (`CallSummary.accepted`)."""
    derogations = list(
        MinimumDerogation.objects.filter(call__campaign=campaign, call__region_id__in=list(rows))
        .select_related("call__region")
        .order_by("call__region__name", "-requested_at", "-pk")
    )
    summaries = {c.pk: c for row in rows.values() for c in row.calls}
    for d in derogations:
        if d.state == MinimumDerogation.State.GRANTED and d.call_id in summaries:
            summaries[d.call_id].accepted = d.accepted
    return derogations


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


def _add_registry(rows: dict, regions: list[str] | None) -> tuple[list[DepartementRow], object]:
    """Population, centre, verified entries per priority and moderation backlog of each
    département and région, from the stored coverage snapshot (coverage.py); and its date."""
    departements = []
    computed_at = None
    for f in coverage.snapshot(regions):
        if f["region_id"] not in rows:
            continue
        dep = DepartementRow(
            code=f["departement_id"],
            name=f["name"],
            region_code=f["region_id"],
            latitude=f["latitude"] or 0.0,
            longitude=f["longitude"] or 0.0,
            population=f["population"],
            verified=f["verified"],
            backlog=f["backlog"],
            oldest_submitted=f["oldest_submitted"],
            verified_by_priority={int(number): n for number, n in f["verified_by_priority"].items()},
        )
        departements.append(dep)
        computed_at = f["computed_at"] if computed_at is None else min(computed_at, f["computed_at"])
        row = rows[dep.region_code]
        row.population += dep.population
        row.verified += dep.verified
        row.backlog += dep.backlog
        if dep.oldest_submitted and (row.oldest_submitted is None or dep.oldest_submitted < row.oldest_submitted):
            row.oldest_submitted = dep.oldest_submitted
        for number, n in dep.verified_by_priority.items():
            row.verified_by_priority[number] = row.verified_by_priority.get(number, 0) + n
        if f["located_communes"] and f["latitude"] is not None:  # the région's centre: mean of its communes' points
            row.latitude += f["latitude"] * f["located_communes"]
            row.longitude += f["longitude"] * f["located_communes"]
            row.located_communes += f["located_communes"]
    for row in rows.values():
        if row.located_communes:
            row.latitude, row.longitude = row.latitude / row.located_communes, row.longitude / row.located_communes
    return departements, computed_at
