"""Steering the training offer (issue 20, journey 6): the coverage by theme × département for a
commissaire (its région) and the national team (every région, or one), and its exports."""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone
from django.views import View

from tpj.core import exports
from tpj.core.text import french_count, french_plural
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.territories.models import Region

from ..permissions import steering_scope
from ..services import coverage, coverage_snapshots
from ..services.coverage import DEFAULT_HORIZON, GAP_KM, HORIZONS, gap_label, per_100k

NNBSP = "\u202f"
MISSING_RATIOS = (
    "Le nombre de professionnels de la petite enfance et le nombre de naissances par département ne "
    "figurent pas dans les données de référence de la plateforme : les professionnels formés ne peuvent "
    "donc pas être rapportés à 1 000 professionnels ni à 1 000 naissances. Ils sont rapportés à la "
    "population (somme des populations des communes du département)."
)


def fr_int(value: int) -> str:
    return french_count(int(value or 0))


def fr_ratio(value) -> str:
    """« 12,5 » (one decimal, narrow space between thousands), « — » without population."""
    if value is None:
        return "—"
    return f"{value:,.1f}".replace(",", NNBSP).replace(".", ",")


def figure_lines(figures, *, empty: str = "Aucune session") -> list[str]:
    """The French lines of a cell: sessions, offers, seats, professionals trained."""
    lines = []
    if figures.sessions:
        lines += [
            f"{fr_int(figures.sessions)} session{french_plural(figures.sessions)}",
            f"{fr_int(figures.offers)} offre{french_plural(figures.offers)}",
            f"{fr_int(figures.seats_left)} place{french_plural(figures.seats_left)} "
            f"libre{french_plural(figures.seats_left)} sur {fr_int(figures.capacity)}",
        ]
    else:
        lines.append(empty)
    if figures.trained is not None:
        lines.append(f"{fr_int(figures.trained)} formé{french_plural(figures.trained)}")
    return lines


def remote_lines(figures) -> list[str]:
    if not figures.sessions:
        return ["Aucune session à distance"]
    return [
        f"{fr_int(figures.sessions)} session{french_plural(figures.sessions)} à distance",
        f"{fr_int(figures.offers)} offre{french_plural(figures.offers)}",
        f"{fr_int(figures.seats_left)} place{french_plural(figures.seats_left)} "
        f"libre{french_plural(figures.seats_left)} sur {fr_int(figures.capacity)}",
    ]


@dataclass
class Request:
    """The steering page's parameters, checked: `horizon` (3, 6 or 12 months) and `region`."""

    horizon: int = DEFAULT_HORIZON
    region: Region | None = None
    errors: dict | None = None


def region_param(params) -> str:
    return (params.get("region") or "").replace("\x00", "").strip()[:3]


def parse(params) -> Request:
    result, errors = Request(), {}
    raw = (params.get("horizon") or "").strip()
    if raw:
        if raw.isdigit() and int(raw) in HORIZONS:
            result.horizon = int(raw)
        else:
            errors["horizon"] = "Horizon inconnu : choisissez 3, 6 ou 12 mois."
    code = region_param(params)
    if code:
        result.region = Region.objects.filter(code=code).first()
        if result.region is None:
            errors["region"] = f"Région inconnue : « {code} »."
    result.errors = errors
    return result


class SteeringMixin(PolicyRequiredMixin):
    policy_action = "training.steer"

    def get_policy_object(self):
        # A région asked in the URL must be in the viewer's scope (else 403, in French).
        return region_param(self.request.GET) or None

    def coverage(self):
        self.params = parse(self.request.GET)
        if self.params.errors:
            return None
        scope = steering_scope(self.request.user)
        region = self.params.region.code if self.params.region else None
        return coverage_snapshots.snapshot(scope, region=region, horizon=self.params.horizon)

    def invalid(self):
        return render(self.request, "training/steering.html", self.page_context(None), status=400)

    def page_context(self, result) -> dict:
        scope = steering_scope(self.request.user)
        regions = Region.objects.order_by("name")
        if not scope.national:
            regions = regions.filter(departements__in=coverage.scope_departements(scope)).distinct()
        regions = list(regions)
        query = self.request.GET.copy()
        return {
            "coverage": result,
            "params": self.params,
            "errors": self.params.errors or {},
            "horizons": HORIZONS,
            "regions": regions,
            "is_national": scope.national,
            "gap_km": GAP_KM,
            "refresh_minutes": coverage_snapshots.REFRESH_MINUTES,
            "missing_ratios": MISSING_RATIOS,
            "querystring": query.urlencode(),
            **(self.display(result) if result else {}),
        }

    def display(self, result) -> dict:
        """French figures, precomputed (hundreds of cells: localising them in the template is slow)."""
        rows = [
            {
                "row": row,
                "cells": [{"lines": figure_lines(cell), "gap": gap_label(cell.theme) if cell.gap else ""} for cell in row.cells],
                "total": figure_lines(row.total),
                "population": fr_int(row.population),
                "per_100k": fr_ratio(row.trained_per_100k),
            }
            for row in result.rows
        ]
        theme_totals = [
            {
                "lines": figure_lines(t),
                "gaps": (
                    f"{fr_int(t.gaps)} département{french_plural(t.gaps)} sans session à moins de {GAP_KM} km" if t.gaps else ""
                ),
                "remote": remote_lines(t.remote),
            }
            for t in result.theme_totals
        ]
        total = result.total
        return {
            "rows": rows,
            "theme_totals": theme_totals,
            "total_lines": figure_lines(total),
            "remote_total": remote_lines(result.remote),
            "population": fr_int(result.population),
            "per_100k": fr_ratio(result.trained_per_100k),
            "headline": [
                (fr_int(total.offers), f"offre{french_plural(total.offers)} publiée{french_plural(total.offers)} avec session"),
                (fr_int(total.sessions), f"session{french_plural(total.sessions)} en présentiel"),
                (
                    f"{fr_int(total.seats_left)} / {fr_int(total.capacity)}",
                    f"place{french_plural(total.seats_left)} libre{french_plural(total.seats_left)}",
                ),
                (fr_int(result.remote.sessions), f"session{french_plural(result.remote.sessions)} à distance"),
                (fr_int(total.trained), f"professionnel{french_plural(total.trained)} formé{french_plural(total.trained)}"),
                (fr_int(result.gap_count), f"lacune{french_plural(result.gap_count)} à moins de {GAP_KM} km"),
            ],
        }


class SteeringView(SteeringMixin, View):
    def get(self, request):
        result = self.coverage()
        if result is None:
            return self.invalid()
        return render(request, "training/steering.html", self.page_context(result))


# -- exports ---------------------------------------------------------------------------------

HEADER = [
    "région (code)",
    "région",
    "département (code)",
    "département",
    "thème",
    "offres publiées avec session",
    "sessions en présentiel",
    "places libres",
    "places",
    "professionnels formés",
    "population",
    "formés pour 100 000 habitants",
    "sessions à distance",
    "lacune",
]
ALL_THEMES = "Tous les thèmes"
WHOLE_SCOPE = "Ensemble du périmètre"


def export_rows(result):
    """One row per (département, theme), then each département's « all themes » row, each
    theme's total over the scope (with its remote sessions) and the grand total."""
    for row in result.rows:
        region = (row.region_code, row.region_name, row.code, row.name)
        for cell in row.cells:
            yield [
                *region,
                cell.theme.label,
                cell.offers,
                cell.sessions,
                cell.seats_left,
                cell.capacity,
                cell.trained,
                row.population,
                per_100k(cell.trained, row.population),
                None,
                gap_label(cell.theme) if cell.gap else "",
            ]
        t = row.total
        yield [
            *region,
            ALL_THEMES,
            t.offers,
            t.sessions,
            t.seats_left,
            t.capacity,
            t.trained,
            row.population,
            row.trained_per_100k,
            None,
            f"{len(row.gaps)} thème{french_plural(len(row.gaps))} sans session à moins de {GAP_KM} km" if row.gaps else "",
        ]
    for t in result.theme_totals:
        yield [
            None,
            None,
            None,
            WHOLE_SCOPE,
            t.theme.label,
            t.offers,
            t.sessions,
            t.seats_left,
            t.capacity,
            t.trained,
            result.population,
            per_100k(t.trained, result.population),
            t.remote.sessions,
            f"{t.gaps} département{french_plural(t.gaps)} sans session à moins de {GAP_KM} km" if t.gaps else "",
        ]
    total = result.total
    yield [
        None,
        None,
        None,
        WHOLE_SCOPE,
        ALL_THEMES,
        total.offers,
        total.sessions,
        total.seats_left,
        total.capacity,
        total.trained,
        result.population,
        result.trained_per_100k,
        result.remote.sessions,
        "",
    ]


class SteeringExportView(SteeringMixin, View):
    """The coverage as CSV or XLSX (`format`, from the URL), with the page's parameters."""

    format = "csv"

    def filename(self, extension: str) -> str:
        territory = f"region-{self.params.region.code}" if self.params.region else "perimetre"
        return f"couverture-formations-{territory}-{self.params.horizon}-mois-{timezone.localdate():%Y-%m-%d}.{extension}"

    def get(self, request):
        result = self.coverage()
        if result is None:
            return self.invalid()
        if self.format == "xlsx":
            return exports.xlsx_response(self.filename("xlsx"), HEADER, export_rows(result), title="Couverture")
        return exports.csv_response(self.filename("csv"), HEADER, export_rows(result), decimal_comma=True, streaming=False)
