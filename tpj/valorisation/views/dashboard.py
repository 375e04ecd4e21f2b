"""National dashboard pages and CSV exports (national team: every région; call manager: its own)."""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView, View

from tpj.calls.models import euros
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.territories.models import Region

from .. import coverage, dashboard, exports
from ..charts import bar_chart
from ..dashboard import ScopeRefused, dashboard_scope
from ..permissions import regions_in_scope

NNBSP = "\u202f"


def fr_number(value) -> str:
    """French display of a count, ratio or amount (thousands separated by a narrow space); "—" when missing.

    Preformatted in Python: localising a thousand numbers in the template costs more than the queries."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", NNBSP).replace(".", ",")
    return f"{int(value):,}".replace(",", NNBSP)


def formatted(row, names) -> dict:
    return {name: fr_number(getattr(row, name)) for name in names}


class DashboardMixin(PolicyRequiredMixin):
    policy_action = "valorisation.view_dashboard"

    def board(self):
        regions, campaign = dashboard_scope(self.request.user, self.request.GET)
        return dashboard.build(regions=regions, campaign=campaign)

    def get(self, request, *args, **kwargs):
        try:
            board = self.board()
        except ScopeRefused as error:
            return render(request, "403.html", {"reason": str(error)}, status=403)
        return self.respond(board)


class DashboardView(DashboardMixin, TemplateView):
    """The page: its body is rendered once per viewer's scope, filters and data version (dashboard.body_key)."""

    template_name = "valorisation/dashboard.html"

    def respond(self, board):
        params = self.request.GET
        scope = regions_in_scope(self.request.user)
        choices = {
            "campaign_years": list(dashboard.campaigns().values_list("year", flat=True)),
            "all_regions": list(Region.objects.values_list("code", "name")),
        }
        rows = sorted(board.rows, key=lambda r: r.name)
        key = dashboard.body_key(scope, params, board, choices)
        body = cache.get(key)
        if body is None:
            body = render_to_string("valorisation/_dashboard_body.html", self.body_context(board, rows, scope, choices))
            cache.set(key, body, dashboard.BODY_CACHE_SECONDS)
        return self.render_to_response({"board": board, "rows": rows, "body": mark_safe(body)})  # our own rendering, escaped

    def body_context(self, board, rows, scope, choices) -> dict:
        indicator = self.request.GET.get("indicateur")
        indicator = indicator if indicator in dashboard.INDICATORS else "verified_per_100k"
        for r in rows:  # table cells precomputed: nested template loops and number localisation are slow
            r.axis_cells = [r.laureates_by_axis.get(a.number, "") for a in board.axes]
            r.priority_cells = [r.verified_by_priority.get(p.number, "") for p in board.priorities]
            r.f = formatted(
                r,
                [
                    "population",
                    "verified",
                    "verified_per_100k",
                    "verified_per_1000_births",
                    "backlog",
                    "backlog_age",
                    "dotation",
                    "top_up",
                    "allocated",
                    "remaining",
                    "applications",
                    "laureates",
                ],
            )
        for d in board.departements:
            d.f = formatted(d, ["population", "verified", "verified_per_100k", "backlog", "backlog_age"])
        chart = bar_chart(
            [(r.name, r.verified_per_100k or 0, f"{r.verified_per_100k or 0:g}") for r in rows],
            name="verified",
            title="Fiches vérifiées de l'annuaire pour 100 000 habitants, par région",
        )
        money_chart = (
            bar_chart(
                [(r.name, r.allocated, euros(r.allocated)) for r in rows if r.dotation or r.top_up],
                name="money",
                title="Montant attribué aux lauréats, par région",
            )
            if board.campaign
            else None
        )
        map_points = {
            "regions": [
                {
                    "code": r.code,
                    "name": r.name,
                    "lat": r.latitude,
                    "lon": r.longitude,
                    **{k: r.indicator(k) for k in dashboard.INDICATORS},
                }
                for r in rows
            ],
            "departements": [
                {
                    "code": d.code,
                    "name": d.name,
                    "lat": d.latitude,
                    "lon": d.longitude,
                    **{k: d.indicator(k) for k in ("verified", "verified_per_100k", "backlog", "backlog_age")},
                }
                for d in board.departements
            ],
        }
        params = self.request.GET.copy()
        params.pop("indicateur", None)
        return {
            "board": board,
            "rows": rows,
            "totals": board.totals,
            "chart": chart,
            "money_chart": money_chart,
            "indicators": dashboard.INDICATORS,
            "indicator": indicator,
            "map_points": map_points,
            "params": self.request.GET,
            "querystring": params.urlencode(),
            "is_national": scope is None,
            "coverage_at": timezone.localtime(board.coverage_at) if board.coverage_at else None,
            "refresh_minutes": coverage.REFRESH_MINUTES,
            "map_config": {"tiles": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION},
            **choices,
        }


REGION_HEADER = [
    "région (code)",
    "région",
    "population",
    "naissances",
    "déclarations d'intention",
    "appels (volet : état)",
    "alertes calendrier",
    "dotation nationale (€)",
    "abondement local (€)",
    "attribué (€)",
    "reste (€)",
    "dotation minimale atteinte",
    "candidatures",
    "lauréats",
    "lauréats par axe",
    "liste transmise le",
    "fiches vérifiées",
    "fiches pour 100 000 habitants",
    "fiches pour 1 000 naissances",
    "fiches vérifiées par priorité",
    "fiches en attente",
    "plus ancienne attente (jours)",
]


def region_csv_row(r) -> list:
    yes_no = {True: "oui", False: "non", None: ""}
    return [
        r.code,
        r.name,
        r.population,
        r.births or "",
        " | ".join(
            f"{d.agency}{' (commun)' if d.joint else ''} le {d.declared_at:%d/%m/%Y}{' (en retard)' if d.is_late else ''}"
            for d in r.declarations
        ),
        " | ".join(f"{c.strand} : {c.state}" for c in r.calls),
        " | ".join(w for c in r.calls for w in c.warnings),
        r.dotation,
        r.top_up,
        r.allocated,
        r.remaining,
        yes_no[r.minimum_reached],
        r.applications,
        r.laureates,
        " | ".join(f"axe {n} : {count}" for n, count in sorted(r.laureates_by_axis.items())),
        r.transmitted_at.date().isoformat() if r.transmitted_at else "",
        r.verified,
        r.verified_per_100k or "",
        r.verified_per_1000_births or "",
        " | ".join(f"{n} : {count}" for n, count in sorted(r.verified_by_priority.items())),
        r.backlog,
        r.backlog_age if r.backlog_age is not None else "",
    ]


DEPARTEMENT_HEADER = [
    "département (code)",
    "département",
    "région (code)",
    "population",
    "fiches vérifiées",
    "fiches pour 100 000 habitants",
    "fiches vérifiées par priorité",
    "fiches en attente",
    "plus ancienne attente (jours)",
]


def departement_csv_row(d) -> list:
    return [
        d.code,
        d.name,
        d.region_code,
        d.population,
        d.verified,
        d.verified_per_100k or "",
        " | ".join(f"{n} : {count}" for n, count in sorted(d.verified_by_priority.items())),
        d.backlog,
        d.backlog_age if d.backlog_age is not None else "",
    ]


class DashboardRegionsCsvView(DashboardMixin, View):
    def respond(self, board):
        rows = sorted(board.rows, key=lambda r: r.code)
        return exports.csv_response("tableau-de-bord-regions.csv", REGION_HEADER, (region_csv_row(r) for r in rows))


class DashboardDepartementsCsvView(DashboardMixin, View):
    def respond(self, board):
        return exports.csv_response(
            "tableau-de-bord-departements.csv", DEPARTEMENT_HEADER, (departement_csv_row(d) for d in board.departements)
        )
