"""Coverage of the training offer, theme × département (issue 20, journey 6 « Steer »).

For each of the 7 themes and each département of the viewer's scope, over a horizon of
3, 6 or 12 months from today:

- the published offers with an in-person session in the département within the horizon,
  those sessions, and their seats left out of their capacity;
- the professionals trained: the participants of the session reports (ReportLine) counted
  by *their* département, for sessions of offers of that theme (every report, whatever its date);
- a gap when no in-person session of the theme, within the horizon, lies within `GAP_KM` of
  the département's chef-lieu (wherever that session is: across a regional border counts).

Remote sessions have no département: they are counted per theme, apart (« à distance »).
An offer may have several themes: a département's « all themes » figures count each offer,
session and participant once, and are read from SQL, not summed from the theme cells.

Every figure is aggregated in SQL on the session table alone (its copies of the offer's
publication and themes, and of the commune's territory: Session), grouped by theme set — an
offer has one — so that a handful of statements give every cell; only the gaps are computed in
Python, from the distinct (theme set, position) pairs of the sessions near the scope, bucketed
on a grid. The page reads snapshots of it (`snapshot`), kept by the worker.
"""

import calendar
import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from tpj.accounts.scopes import Scope
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Commune, Departement, haversine_km

from ..models import ReportLine, Session
from ..search import longest_session_days

HORIZONS = (3, 6, 12)
DEFAULT_HORIZON = 6
GAP_KM = 50
KM_PER_DEGREE = 111.32
GRID_DEGREES = 0.5


@dataclass
class Figures:
    offers: int = 0
    sessions: int = 0
    seats_left: int = 0
    capacity: int = 0
    trained: int = 0


@dataclass
class Cell(Figures):
    theme: TrainingTheme | None = None
    gap: bool = False


@dataclass
class DepartementRow:
    code: str
    name: str
    region_code: str
    region_name: str
    population: int
    cells: list[Cell]
    total: Figures

    @property
    def trained_per_100k(self) -> Decimal | None:
        return per_100k(self.total.trained, self.population)

    @property
    def gaps(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.gap]


@dataclass
class ThemeTotal(Figures):
    theme: TrainingTheme | None = None
    remote: Figures = field(default_factory=Figures)
    gaps: int = 0


@dataclass
class Coverage:
    today: datetime.date
    until: datetime.date
    horizon: int
    themes: list[TrainingTheme]
    rows: list[DepartementRow]
    theme_totals: list[ThemeTotal]
    total: Figures
    remote: Figures
    population: int
    # When these figures were computed (a snapshot: see `snapshot`).
    computed_at: datetime.datetime | None = None

    @property
    def trained_per_100k(self) -> Decimal | None:
        return per_100k(self.total.trained, self.population)

    @property
    def gap_count(self) -> int:
        return sum(t.gaps for t in self.theme_totals)


def per_100k(count: int, population: int) -> Decimal | None:
    """`count` for 100,000 inhabitants, to one decimal; None without population."""
    if not population:
        return None
    return (Decimal(count) * 100000 / Decimal(population)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it is shorter: 31 August + 6 → 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def gap_label(theme) -> str:
    """« aucune session sur « le langage » à moins de 50 km »."""
    label = theme.label[:1].lower() + theme.label[1:]
    return f"aucune session sur « {label} » à moins de {GAP_KM} km"


# -- the scope ---------------------------------------------------------------------------------


def scope_departements(scope: Scope, region: str | None = None):
    """The départements of `scope` (all of a région in scope, or the scope's own départements),
    restricted to `region` when given, with their région's name."""
    queryset = Departement.objects.select_related("region").order_by("code")
    if not scope.national:
        queryset = queryset.filter(Q(region__in=scope.regions) | Q(code__in=scope.departements))
    if region:
        queryset = queryset.filter(region=region)
    return queryset


def _upcoming_sessions(today, until):
    """Sessions of published offers not over by `today` and starting by `until` (read from the
    session table alone: Session.published, and the longest session's length as the lower bound
    of the start, as the search does)."""
    return Session.objects.filter(
        published=True,
        end_date__gte=today,
        start_date__lte=until,
        start_date__gte=today - datetime.timedelta(days=longest_session_days()),
    )


def _numbers(theme_set: int) -> list[int]:
    """The theme numbers of a Session.theme_bits value."""
    return [bit + 1 for bit in range(theme_set.bit_length()) if theme_set >> bit & 1]


def _add(figures: Figures, group: Figures, offers: bool = True) -> None:
    if offers:
        figures.offers += group.offers
    figures.sessions += group.sessions
    figures.seats_left += group.seats_left or 0
    figures.capacity += group.capacity or 0


POPULATION_CACHE_SECONDS = 24 * 3600


def _populations(codes) -> dict[str, int]:
    """The population of each département (sum of its communes'): reference data, summed once a
    day (cached) rather than over the 35,000 communes on every page."""
    populations = cache.get("training:coverage:populations:v1")
    if populations is None:
        populations = dict(
            Commune.objects.values("departement").annotate(total=Sum("population")).values_list("departement", "total")
        )
        cache.set("training:coverage:populations:v1", populations, POPULATION_CACHE_SECONDS)
    return {code: populations.get(code, 0) for code in codes}


def _figures(row: dict) -> Figures:
    return Figures(
        offers=row.get("offers") or 0,
        sessions=row.get("sessions") or 0,
        seats_left=row.get("seats_left") or 0,
        capacity=row.get("capacity") or 0,
    )


_SESSION_AGGREGATES = {
    "offers": Count("offer", distinct=True),
    "sessions": Count("id", distinct=True),
    "seats_left": Sum("seats_left"),
    "capacity": Sum("capacity"),
}


def _session_totals(queryset) -> Figures:
    """Offers, sessions and seats of `queryset` (one query; each session counted once)."""
    return _figures(queryset.aggregate(**_SESSION_AGGREGATES))


# -- the coverage ------------------------------------------------------------------------------


def build(scope: Scope, *, region: str | None = None, horizon: int = DEFAULT_HORIZON, today=None) -> Coverage:
    """The coverage of `scope` (restricted to `region`), over `horizon` months from `today`."""
    if horizon not in HORIZONS:
        raise ValueError(f"horizon must be one of {HORIZONS}")
    today = today or timezone.localdate()
    until = add_months(today, horizon)
    themes = list(TrainingTheme.objects.order_by("number"))
    chef_lieu = Commune.objects.filter(insee_code=OuterRef("chef_lieu"))
    departements = list(
        scope_departements(scope, region).annotate(
            chef_lieu_latitude=Subquery(chef_lieu.values("latitude")[:1]),
            chef_lieu_longitude=Subquery(chef_lieu.values("longitude")[:1]),
        )
    )
    codes = [d.code for d in departements]
    whole_country = scope.national and not region
    in_scope = Q() if whole_country else Q(departement__in=codes)
    lines_in_scope = Q() if whole_country else Q(departement__in=codes)

    upcoming = _upcoming_sessions(today, until)
    in_person = upcoming.filter(in_scope, is_remote=False)
    population = _populations(codes)

    # Sessions, in one statement grouped by (remote, département, theme set): a session and its
    # offer have one theme set, so an offer is in one group per département and the groups add up
    # to the cells, the départements' totals and the remote figures. Only the offers counted over
    # several départements (per theme, overall) need a second statement.
    by_cell, by_departement = defaultdict(Figures), defaultdict(Figures)
    by_theme, remote_by_theme = defaultdict(Figures), defaultdict(Figures)
    total, remote_total = Figures(), Figures()
    scoped = upcoming.filter(Q(in_scope, is_remote=False) | Q(is_remote=True))
    for is_remote, code, theme_set, *figures in (
        scoped.values_list("is_remote", "departement", "theme_bits").annotate(**_SESSION_AGGREGATES).order_by()
    ):
        group = Figures(*figures)
        numbers = _numbers(theme_set)
        if is_remote:
            _add(remote_total, group)
            for number in numbers:
                _add(remote_by_theme[number], group)
            continue
        _add(by_departement[code], group)
        _add(total, group, offers=False)
        for number in numbers:
            _add(by_cell[(number, code)], group)
            _add(by_theme[number], group, offers=False)
    for theme_set, offers in in_person.values_list("theme_bits").annotate(offers=Count("offer", distinct=True)).order_by():
        total.offers += offers
        for number in _numbers(theme_set):
            by_theme[number].offers += offers

    # Professionals trained, by the participants' département, for the themes of their session's offer.
    trained_cell, trained_departement = defaultdict(int), defaultdict(int)
    lines = ReportLine.objects.filter(lines_in_scope)
    for code, theme_set, trained in (
        lines.values_list("departement", "report__session__theme_bits").annotate(trained=Sum("participants")).order_by()
    ):
        trained_departement[code] += trained
        for number in _numbers(theme_set):
            trained_cell[(number, code)] += trained

    gaps = _gaps(departements, themes, upcoming)

    rows = []
    for d in departements:
        cells = []
        for theme in themes:
            figures = by_cell.get((theme.number, d.code), Figures())
            cells.append(
                Cell(
                    **{**figures.__dict__, "trained": trained_cell.get((theme.number, d.code), 0)},
                    theme=theme,
                    gap=(theme.number, d.code) in gaps,
                )
            )
        row_total = by_departement.get(d.code, Figures())
        row_total.trained = trained_departement.get(d.code, 0)
        rows.append(
            DepartementRow(
                code=d.code,
                name=d.name,
                region_code=d.region_id,
                region_name=d.region.name,
                population=population.get(d.code, 0),
                cells=cells,
                total=row_total,
            )
        )
    theme_totals = []
    for index, theme in enumerate(themes):
        figures = by_theme.get(theme.number, Figures())
        theme_totals.append(
            ThemeTotal(
                **{**figures.__dict__, "trained": sum(row.cells[index].trained for row in rows)},
                theme=theme,
                remote=remote_by_theme.get(theme.number, Figures()),
                gaps=sum(1 for row in rows if row.cells[index].gap),
            )
        )
    total.trained = sum(row.total.trained for row in rows)
    return Coverage(
        today=today,
        until=until,
        horizon=horizon,
        themes=themes,
        rows=rows,
        theme_totals=theme_totals,
        total=total,
        remote=remote_total,
        population=sum(row.population for row in rows),
    )


def _gaps(departements, themes, upcoming) -> set[tuple[int, str]]:
    """(theme number, département code) pairs with no in-person session of the theme within
    GAP_KM of the département's chef-lieu: one query for the distinct (theme, position) pairs
    of the sessions in the scope's bounding box widened by GAP_KM, then a grid lookup."""
    centres = [(d.code, d.chef_lieu_latitude, d.chef_lieu_longitude) for d in departements if d.chef_lieu_latitude is not None]
    if not centres:
        return set()
    dlat = GAP_KM / KM_PER_DEGREE
    max_lat = max(abs(lat) for _, lat, _ in centres) + dlat
    dlon = GAP_KM / (KM_PER_DEGREE * max(math.cos(math.radians(min(max_lat, 89.0))), 0.01))
    latitudes, longitudes = [lat for _, lat, _ in centres], [lon for _, _, lon in centres]
    points = (
        upcoming.filter(
            is_remote=False,
            latitude__range=(min(latitudes) - dlat, max(latitudes) + dlat),
            longitude__range=(min(longitudes) - dlon, max(longitudes) + dlon),
            theme_bits__gt=0,
        )
        .values_list("theme_bits", "latitude", "longitude")
        .distinct()
    )
    grid = defaultdict(set)
    for theme_set, lat, lon in points:
        for number in _numbers(theme_set):
            grid[(number, math.floor(lat / GRID_DEGREES), math.floor(lon / GRID_DEGREES))].add((lat, lon))
    reach_lat, reach_lon = math.ceil(dlat / GRID_DEGREES), math.ceil(dlon / GRID_DEGREES)
    gaps = set()
    for code, lat, lon in centres:
        row, column = math.floor(lat / GRID_DEGREES), math.floor(lon / GRID_DEGREES)
        for theme in themes:
            near = any(
                haversine_km(lat, lon, p_lat, p_lon) <= GAP_KM
                for i in range(row - reach_lat, row + reach_lat + 1)
                for j in range(column - reach_lon, column + reach_lon + 1)
                for p_lat, p_lon in grid.get((theme.number, i, j), ())
            )
            if not near:
                gaps.add((theme.number, code))
    return gaps


# -- snapshots ------------------------------------------------------------------------------------

# -- the national dashboard's section ------------------------------------------------------------


@dataclass
class Summary:
    horizon: int
    until: datetime.date
    # Published offers with an upcoming session, in person in the territory or remote (once each).
    offers: int
    in_person: Figures
    remote: Figures
    trained: int


def summary(regions: list[str] | None = None, *, horizon: int = DEFAULT_HORIZON, today=None) -> Summary:
    """The training figures of the national dashboard for `regions` (None: the whole country),
    in four queries: the same definitions as `build`'s totals."""
    today = today or timezone.localdate()
    until = add_months(today, horizon)
    upcoming = _upcoming_sessions(today, until)
    place = Q() if regions is None else Q(region__in=regions)
    in_person = upcoming.filter(place, is_remote=False)
    lines = ReportLine.objects.all() if regions is None else ReportLine.objects.filter(departement__region__in=regions)
    reachable = upcoming if regions is None else upcoming.filter(place | Q(is_remote=True))
    offers_total = reachable.aggregate(n=Count("offer", distinct=True))["n"]
    return Summary(
        horizon=horizon,
        until=until,
        offers=offers_total,
        in_person=_session_totals(in_person),
        remote=_session_totals(upcoming.filter(is_remote=True)),
        trained=lines.aggregate(n=Sum("participants"))["n"] or 0,
    )
