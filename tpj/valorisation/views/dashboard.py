"""National dashboard pages and CSV exports (national team: every région; call manager: its own)."""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView, View

from tpj.calls.models import euros
from tpj.core import policy
from tpj.core.text import french_plural
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.territories.models import Region
from tpj.training.services import coverage as training_coverage

from .. import coverage, dashboard, exports
from ..charts import bar_chart
from ..choropleth import choropleth
from ..dashboard import ScopeRefused, dashboard_scope
from ..permissions import regions_in_scope

NNBSP = "\u202f"


# How long the dashboard's training figures are kept (they are read again after).
TRAINING_CACHE_SECONDS = 300


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


def summary_band(board, rows) -> list[dict]:
    """The five figures the national team asks first, each linked to its section: computed
    from the figures already read (no query). Without a campaign, the registry's only."""
    totals, regions = board.totals, len(rows)
    figures = []
    if board.campaign:
        calls, envelopes = sum(len(r.calls) for r in rows), totals["dotation"] + totals["top_up"]
        declared, transmitted = totals["declared_regions"], totals["transmitted_regions"]
        laureates, applications = totals["laureates"], totals["applications"]
        share = f" ({fr_number(round(100 * totals['allocated'] / envelopes))} %)" if envelopes else ""
        figures += [
            {
                "anchor": "calendrier",
                "value": f"{fr_number(declared)} / {fr_number(regions)}",
                "label": f"région{french_plural(regions)} ayant déclaré leur intention",
                "detail": f"{fr_number(calls)} appel{french_plural(calls)} lancé{french_plural(calls)}",
            },
            {
                "anchor": "calendrier",
                "value": fr_number(laureates),
                "label": f"lauréat{french_plural(laureates)}",
                "detail": f"sur {fr_number(applications)} candidature{french_plural(applications)}",
            },
            {
                "anchor": "calendrier",
                "value": f"{fr_number(transmitted)} / {fr_number(regions)}",
                "label": f"liste{french_plural(transmitted)} de lauréats transmise{french_plural(transmitted)} au national",
                "detail": "",
            },
            {
                "anchor": "montants",
                "value": f"{fr_number(round(totals['allocated']))}{NNBSP}€",
                "label": "attribués aux lauréats",
                "detail": f"sur {fr_number(round(envelopes))}{NNBSP}€ d'enveloppes{share}",
            },
        ]
    verified, backlog = totals["verified"], totals["backlog"]
    figures.append(
        {
            "anchor": "couverture",
            "value": fr_number(verified),
            "label": f"fiche{french_plural(verified)} vérifiée{french_plural(verified)} dans l'annuaire",
            "detail": f"{fr_number(backlog)} en attente de modération",
        }
    )
    return figures


# The indicators known per département (the others are the calls', per région).
DEPARTEMENT_INDICATORS = ("verified", "verified_per_100k", "backlog", "backlog_age")


def territory_classes(territories, keys) -> dict:
    """The dashboard map's data for one level: each territory's name, and per indicator its
    colour class and French figure, with the legends (choropleth.choropleth)."""
    rows = [{"code": t.code, **{key: t.indicator(key) for key in keys}} for t in territories]
    result = choropleth(rows, keys, fr_number)
    for t in territories:
        result["territories"][t.code]["name"] = t.name
    return result


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
    """The page: its body is rendered once per viewer's scope, filters and data version
    (dashboard.body_key), and a warm display reads only the version: the figures are
    computed on a miss."""

    template_name = "valorisation/dashboard.html"

    def get(self, request, *args, **kwargs):
        params = request.GET
        try:
            regions = dashboard.dashboard_regions(request.user, params)  # the checks first: a refusal is never cached
        except ScopeRefused as error:
            return render(request, "403.html", {"reason": str(error)}, status=403)
        scope = regions_in_scope(request.user)
        key = dashboard.body_key(scope, params, dashboard.data_version())  # read before the figures
        cached = cache.get(key)
        if cached is None:
            try:
                board = self.board()
            except ScopeRefused as error:
                return render(request, "403.html", {"reason": str(error)}, status=403)
            choices = {
                "campaign_years": list(dashboard.campaigns().values_list("year", flat=True)),
                "all_regions": list(Region.objects.values_list("code", "name")),
            }
            rows = sorted(board.rows, key=lambda r: r.name)
            body = render_to_string("valorisation/_dashboard_body.html", self.body_context(board, rows, scope, choices))
            cached = (body, board)
            cache.set(key, cached, dashboard.BODY_CACHE_SECONDS)
        body, board = cached
        rows = sorted(board.rows, key=lambda r: r.name)
        # The training offer's section (issue 20): four aggregate queries, kept for a few minutes
        # beside the body (training changes do not bump the dashboard's version: the figures are
        # at most TRAINING_CACHE_SECONDS old, and a warm display reads none).
        summary = cache.get_or_set(f"{key}:formation", lambda: training_coverage.summary(regions), TRAINING_CACHE_SECONDS)
        training = {
            "summary": summary,
            "can_steer": bool(policy.check(request.user, "training.steer")),
        }
        return self.render_to_response(
            {"board": board, "rows": rows, "body": mark_safe(body), "training": training}  # our own rendering, escaped
        )

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
            [(r.name, r.verified_per_100k or 0, r.f["verified_per_100k"]) for r in rows],
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
        axis_totals = [sum(r.laureates_by_axis.get(a.number, 0) for r in rows) for a in board.axes]
        axis_chart = (
            bar_chart(
                [(f"Axe {a.number}", total, fr_number(total)) for a, total in zip(board.axes, axis_totals, strict=True)],
                name="axes",
                title="Projets lauréats par axe national, toutes régions du tableau",
                label_width=80,
            )
            if board.campaign
            else None
        )
        map_points = {
            "regions": territory_classes(rows, dashboard.INDICATORS),
            "departements": territory_classes(board.departements, DEPARTEMENT_INDICATORS),
        }
        params = self.request.GET.copy()
        params.pop("indicateur", None)
        return {
            "board": board,
            "rows": rows,
            "summary": summary_band(board, rows),
            "axis_chart": axis_chart,
            "axis_totals": axis_totals,
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
