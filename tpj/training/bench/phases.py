"""The benchmark's phases, each run in its own process (`manage.py training_bench --phase …`)
with DATABASE_URL set: load the synthetic catalogue, describe a loaded base, measure."""

import datetime
import os
import random
import statistics
import time

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tpj.accounts.models import Role, RoleAssignment, ScopeLevel, User
from tpj.core.bench import percentile
from tpj.core.runtime import freeze_startup_objects
from tpj.territories.models import Commune, Region

from .. import synthetic
from ..models import Offer, ReportLine, Session, SessionReport, TrainingOrganisation
from ..services import coverage_snapshots

REPEAT = 200
WARM = 10  # distinct requests sent before the timed run (templates compiled, pages in the caches)
RAW_EVERY = 4  # the bare SQL is re-run for one request in four (50 of 200): it costs what the SQL costs
PROGRESS = os.environ.get("BENCH_TRAINING_PROGRESS")  # a file the measure appends a line to after each row
STEERING_REGION = "53"  # Bretagne: the commissaire's région
PLAN_LINES = 40
TEXTS = [
    "eveil",  # "éveil" without its accent
    "éveil langage",
    "stereotypes",
    "stéréotypes genre",
    "numerique",
    "écrans",
    "parents",
    "nature jardin",
    "theatre",
    "comptines",
    "egalite filles",
    "accueil occasionnel",
    "musique",
    "coeducation familles",
]

# -- phases (child process, DATABASE_URL set) ---------------------------------------------------


def phase_load(offers, sessions) -> dict:
    started = time.perf_counter()
    loaded = synthetic.load(offers, sessions)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {**loaded.__dict__, "seconds": time.perf_counter() - started}


def phase_describe() -> dict:
    """What the base holds (for `--reuse`)."""
    return {
        "organisations": TrainingOrganisation.objects.count(),
        "offers": Offer.objects.count(),
        "sessions": Session.objects.count(),
        "remote": Session.objects.filter(is_remote=True).count(),
        "reports": SessionReport.objects.count(),
        "participants": sum(ReportLine.objects.values_list("participants", flat=True)),
        "seconds": None,
    }


def short_sql(sql: str, keep: int = 160) -> str:
    """`sql` with the outer SELECT's column list elided when it is long (the joins, filters and
    order are what a reader needs); subqueries are kept whole."""
    if not sql.startswith("SELECT "):
        return sql
    depth, index = 0, len("SELECT ")
    while index < len(sql):
        char = sql[index]
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and sql.startswith(" FROM ", index):
            columns = sql[len("SELECT ") : index]
            if len(columns) > keep:
                return f"SELECT {columns[:keep]} … FROM {sql[index + len(' FROM ') :]}"
            return sql
        index += 1
    return sql


def _statements(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" not in q["sql"] and q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]


def _time_raw(statements) -> tuple[float, list[float]]:
    each = []
    with connection.cursor() as cursor:
        for sql in statements:
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            each.append((time.perf_counter() - started) * 1000)
    return sum(each), each


def _plan(sql) -> list[str]:
    explain = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql)
        lines = [str(row[-1]) for row in cursor.fetchall()]
    return lines[:PLAN_LINES] + (["…"] if len(lines) > PLAN_LINES else [])


def _example(path, params) -> str:
    from urllib.parse import urlencode

    return f"{path}?{urlencode(params, doseq=True)}" if params else path


def measure_requests(client, label, kind, requests) -> dict:
    """Time `requests` ((path, params) pairs) through `client`, each next to its SQL re-run raw."""
    load_before = os.getloadavg()[0]
    seen = set()
    for path, params in requests:  # warm the templates and caches on the first distinct requests
        key = _example(path, params)
        if key not in seen and len(seen) < WARM:
            seen.add(key)
            response = client.get(path, params)
            if response.status_code != 200:
                return {"label": label, "kind": kind, "error": f"{key} a répondu {response.status_code}"}
    freeze_startup_objects()  # as config/wsgi.py does in each production worker
    timings, raw, sizes, first = [], [], [], None
    for index, (path, params) in enumerate(requests):
        started = time.perf_counter()
        response = client.get(path, params)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            return {"label": label, "kind": kind, "error": f"{_example(path, params)} a répondu {response.status_code}"}
        sizes.append(len(response.content))
        if index % RAW_EVERY == 0:
            # Captured on a request of their own, after the timed one: capturing wraps each
            # statement in Django's debug cursor, which a production request does not pay.
            with CaptureQueriesContext(connection) as captured:
                client.get(path, params)
            statements = _statements(captured)
            total, each = _time_raw(statements)
            raw.append(total)
            if first is None:
                first = (path, params, len(captured.captured_queries), statements, each)
    _progress(f"{label}: p95 {percentile(timings, 0.95):.1f} ms, raw p50 {statistics.median(raw):.1f} ms")
    path, params, queries, statements, each = first
    heaviest = max(range(len(each)), key=each.__getitem__) if each else None
    timings.sort()
    return {
        "label": label,
        "kind": kind,
        "requests": len(requests),
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": timings[-1],
        "raw_p50": statistics.median(raw),
        "raw_p95": percentile(raw, 0.95),
        "queries": queries,
        "max_kb": max(sizes) / 1024,
        "load": [load_before, os.getloadavg()[0]],
        "example": _example(path, params),
        "sql": short_sql(statements[heaviest]) if heaviest is not None else "",
        "sql_ms": each[heaviest] if heaviest is not None else 0.0,
        "plan": _plan(statements[heaviest]) if heaviest is not None else [],
    }


def _progress(line: str) -> None:
    if PROGRESS:
        with open(PROGRESS, "a", encoding="utf-8") as handle:
            handle.write(f"{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f} {line}\n")


def map_endpoints() -> list[str]:
    """The search's map data endpoints, when the training app has one (a URL whose name or route
    says « map » or « carte », without a path parameter)."""
    from .. import api_urls, urls

    found = []
    for prefix, patterns in (("/formations/", urls.urlpatterns), ("/api/v1/training/", api_urls.urlpatterns)):
        for pattern in patterns:
            route = str(pattern.pattern).lstrip("^").rstrip("$")
            name = pattern.name or ""
            if (
                ("map" in name or "carte" in name or "map" in route or "carte" in route)
                and "<" not in route
                and "(?P" not in route
            ):
                found.append(prefix + route)
    return found


def _users():
    national, _ = User.objects.get_or_create(email="national-training-bench@example.fr")
    RoleAssignment.objects.get_or_create(user=national, role=Role.NATIONAL_TEAM, scope_level=ScopeLevel.NATIONAL)
    commissaire, _ = User.objects.get_or_create(email="commissaire-training-bench@example.fr")
    RoleAssignment.objects.get_or_create(
        user=commissaire, role=Role.COMMISSAIRE, scope_level=ScopeLevel.REGION, region_id=STEERING_REGION
    )
    return national, commissaire


def phase_measure() -> dict:
    settings.ALLOWED_HOSTS = ["*"]
    loadavg_start = os.getloadavg()
    rng = random.Random(20)
    today = timezone.localdate()
    anonymous = Client()
    big = list(Commune.objects.order_by("-population").values_list("insee_code", flat=True)[:300])
    everywhere = synthetic.Generator(seed=21)

    def commune():  # a large town half the time, else a commune drawn by population
        return rng.choice(big) if rng.random() < 0.5 else everywhere.communes_by_population(1)[0][0]

    def dates():
        start = today + datetime.timedelta(days=rng.randint(-30, 300))
        return {"du": start.isoformat(), "au": (start + datetime.timedelta(days=rng.randint(7, 90))).isoformat()}

    def n(build):
        return [build() for _ in range(REPEAT)]

    search, api = "/formations/", "/api/v1/training/"
    offer_pages = max(1, min(200, Offer.objects.published().count() // 20))  # the API answers 404 past the last page
    cases = [
        ("search page: no filter", "search", n(lambda: (search, {"page": rng.randint(1, 50)}))),
        ("search page: theme", "search", n(lambda: (search, {"theme": rng.randint(1, 7), "page": rng.randint(1, 3)}))),
        ("search page: text (accent-insensitive)", "search", n(lambda: (search, {"q": rng.choice(TEXTS)}))),
        ("search page: within 30 km of a commune", "search", n(lambda: (search, {"autour": commune(), "km": 30}))),
        ("search page: date range", "search", n(lambda: (search, dates()))),
        (
            "search page: combined (theme + audience + 30 km + dates)",
            "search",
            n(
                lambda: (
                    search,
                    {
                        "theme": rng.randint(1, 7),
                        "public": rng.choice(["eaje", "assistant_maternel", "animateur_rpe"]),
                        "autour": commune(),
                        "km": 30,
                        "a_distance": "1",
                        **dates(),
                    },
                )
            ),
        ),
        ("API sessions: filters mixed", "search", n(lambda: (f"{api}sessions/", _api_filters(rng, commune, dates)))),
        ("API offers: list by page", "search", n(lambda: (f"{api}offers/", {"page": rng.randint(1, offer_pages)}))),
    ]
    rows = [measure_requests(anonymous, label, kind, requests) for label, kind, requests in cases]

    endpoints = map_endpoints()
    if endpoints:
        for endpoint in endpoints:
            rows.append(
                measure_requests(
                    anonymous,
                    f"map data: {endpoint} (filters mixed)",
                    "map",
                    n(lambda e=endpoint: (e, _api_filters(rng, commune, dates))),
                )
            )
    else:
        rows.append(
            {
                "label": "map data",
                "kind": "map",
                "todo": "la recherche de formations n'a pas encore de point d'accès de carte (aucune URL « carte » ni « map » "
                "dans tpj/training/urls.py ni api_urls.py) : à mesurer dès qu'il existe",
            }
        )

    national, commissaire = _users()
    regions = list(Region.objects.values_list("code", flat=True))
    # The steering page reads the coverage snapshots the worker keeps (tpj/training/tasks.py):
    # computed here as the worker does, timed, before the page is measured.
    started = time.perf_counter()
    snapshots = coverage_snapshots.refresh_snapshots()
    refresh = {"snapshots": snapshots, "seconds": time.perf_counter() - started}
    _progress(f"coverage snapshots: {snapshots} in {refresh['seconds']:.1f} s")
    steering = "/formations/pilotage/"
    as_national, as_commissaire = Client(), Client()
    as_national.force_login(national)
    as_commissaire.force_login(commissaire)
    horizons = (3, 6, 12)
    rows.append(
        measure_requests(
            as_national,
            "steering page: national team, whole country",
            "steering",
            [(steering, {"horizon": horizons[i % 3]}) for i in range(REPEAT)],
        )
    )
    rows.append(
        measure_requests(
            as_national,
            "steering page: national team, one région",
            "steering",
            n(lambda: (steering, {"horizon": rng.choice(horizons), "region": rng.choice(regions)})),
        )
    )
    rows.append(
        measure_requests(
            as_commissaire,
            "steering page: commissaire (Bretagne)",
            "steering",
            [(steering, {"horizon": horizons[i % 3]}) for i in range(REPEAT)],
        )
    )
    return {"rows": rows, "loadavg": [list(loadavg_start), list(os.getloadavg())], "snapshots": refresh}


def _api_filters(rng, commune, dates) -> dict:
    """One to three of the search's filters, drawn at random."""
    params = {}
    for _ in range(rng.randint(1, 3)):
        choice = rng.randrange(6)
        if choice == 0:
            params["theme"] = rng.randint(1, 7)
        elif choice == 1:
            params.update({"autour": commune(), "km": rng.choice((10, 30, 50))})
        elif choice == 2:
            params["q"] = rng.choice(TEXTS)
        elif choice == 3:
            params.update(dates())
        elif choice == 4:
            params["public"] = rng.choice(["eaje", "assistant_maternel", "garde_domicile", "animateur_rpe"])
        else:
            params["financement"] = rng.choice(["volet_national", "volet_territorial", "opco"])
    return params
