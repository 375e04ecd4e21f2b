"""The training benchmark (issue 20): its synthetic catalogue is consistent data, its measure runs
end to end at a tiny size, and its report marks a missed target and a missing endpoint."""

import datetime

import pytest
from django.db.models import F, Sum
from django.http import QueryDict
from django.utils import timezone

from tpj.training import bench, synthetic
from tpj.training.models import Format, Offer, OfferState, ReportLine, Session, SessionReport, TrainingOrganisation
from tpj.training.search import SessionFilter


@pytest.fixture
def loaded(db):
    return synthetic.load(offers=30, sessions=120, seed=5)


def test_the_generator_creates_the_asked_volumes_all_published(loaded):
    assert (loaded.offers, loaded.sessions, loaded.remote) == (30, 120, 12)
    assert Offer.objects.filter(state=OfferState.PUBLISHED).count() == 30
    assert Session.objects.count() == 120
    assert TrainingOrganisation.objects.count() == loaded.organisations == 1
    # Every offer has a session, a theme, an audience and a funding route.
    assert not Offer.objects.filter(sessions__isnull=True).exists()
    for relation in ("themes", "audiences", "funding_routes"):
        assert not Offer.objects.filter(**{f"{relation}__isnull": True}).exists(), relation


def test_sessions_are_within_capacity_and_remote_ones_have_no_commune(loaded):
    assert not Session.objects.filter(capacity__lt=1).exists()
    assert not Session.objects.filter(seats_left__gt=F("capacity")).exists()
    assert not Session.objects.filter(end_date__lt=F("start_date")).exists()
    remote = Session.objects.filter(is_remote=True)
    assert remote.count() == 12 and not remote.filter(commune__isnull=False).exists()
    assert not Session.objects.filter(is_remote=False, commune__isnull=True).exists()
    today = timezone.localdate()
    assert not Session.objects.filter(start_date__lt=today - datetime.timedelta(days=synthetic.PAST_DAYS)).exists()
    assert not Session.objects.filter(start_date__gt=today + datetime.timedelta(days=synthetic.FUTURE_DAYS)).exists()
    # Formats agree with the sessions: a remote-only offer is « distanciel », none of the others is.
    for offer in Offer.objects.prefetch_related("sessions"):
        kinds = {s.is_remote for s in offer.sessions.all()}
        assert (offer.format == Format.REMOTE) == (kinds == {True}), offer.pk
        if kinds == {True, False}:
            assert offer.format == Format.BLENDED


def test_reports_count_no_more_participants_than_seats_taken_and_only_sessions_over(loaded):
    today = timezone.localdate()
    assert loaded.reports == SessionReport.objects.count()
    assert loaded.participants == (ReportLine.objects.aggregate(n=Sum("participants"))["n"] or 0)
    for report in SessionReport.objects.select_related("session"):
        session = report.session
        assert session.end_date < today
        taken = sum(report.lines.values_list("participants", flat=True))
        assert 1 <= taken <= session.capacity - session.seats_left


def test_the_text_search_finds_synthetic_offers_without_their_accents(loaded):
    accented = Offer.objects.filter(title__contains="é").first()
    assert accented is not None
    word = next(w for w in accented.title.split() if "é" in w).replace("é", "e").strip("'").lower()
    found = SessionFilter.from_query(QueryDict(f"q={word}&du=2000-01-01")).sessions()
    assert accented.sessions.first() in found


def test_the_measure_runs_at_a_tiny_size_and_every_row_has_its_figures_or_a_todo(loaded, monkeypatch):
    monkeypatch.setattr(bench.phases, "REPEAT", 3)
    monkeypatch.setattr(bench.phases, "freeze_startup_objects", lambda: None)
    result = bench.phase_measure()
    labels = [row["label"] for row in result["rows"]]
    assert "search page: within 30 km of a commune" in labels
    assert "steering page: commissaire (Bretagne)" in labels
    for row in result["rows"]:
        assert not row.get("error"), row
        if row.get("todo"):
            assert row["kind"] == "map"
            continue
        assert row["requests"] == 3 and row["p50"] <= row["p95"] <= row["max"]
        assert row["sql"].startswith(("SELECT", "WITH")) and row["plan"], row["label"]
    text = bench.render({"SQLite": {"load": {**loaded.__dict__, "seconds": 1.0}, "measure": result}}, 30, 120)
    assert "## Offre de formation (issue 20)" in text and "search page: theme" in text


def _row(label, kind, p95):
    return {
        "label": label,
        "kind": kind,
        "requests": 200,
        "p50": p95 / 2,
        "p95": p95,
        "max": p95 * 2,
        "raw_p50": 1.0,
        "raw_p95": 2.0,
        "queries": 5,
        "max_kb": 20.0,
        "load": [1.5, 2.5],
        "example": "/formations/",
        "sql": "SELECT 1",
        "sql_ms": 1.0,
        "plan": ["SCAN"],
    }


def test_the_report_says_a_missed_target_missed_and_keeps_the_load_average_beside_the_figures():
    measure = {
        "rows": [
            _row("search page: theme", "search", 40.0),
            _row("steering page: national team, whole country", "steering", 450.0),
            {"label": "map data", "kind": "map", "todo": "pas encore de carte"},
        ],
        "loadavg": [[1.0, 1.1, 1.2], [2.0, 1.5, 1.3]],
    }
    load = {
        "organisations": 1000,
        "offers": 20000,
        "sessions": 100000,
        "remote": 10000,
        "reports": 20000,
        "participants": 1,
        "seconds": 9,
    }
    text = bench.render({"PostgreSQL": {"load": load, "measure": measure}}, 20000, 100000)
    lines = text.splitlines()
    theme = next(line for line in lines if line.startswith("| search page: theme"))
    steering = next(line for line in lines if line.startswith("| steering page"))
    assert theme.endswith("| yes |") and "1.50 → 2.50" in theme
    assert "« missed » (p95 > 300 ms)" in steering
    assert any(line.startswith("| map data") and "**TODO**" in line for line in lines)
    assert "1.00 / 1.10 / 1.20 → 2.00 / 1.50 / 1.30" in text


def test_the_long_column_list_of_a_statement_is_elided_but_its_subqueries_kept():
    sql = "SELECT " + ", ".join(f'"t"."c{i}"' for i in range(60)) + ', (SELECT 1 FROM "u") FROM "t" WHERE "t"."x" = 1'
    short = bench.phases.short_sql(sql)
    assert short.endswith(' … FROM "t" WHERE "t"."x" = 1') and len(short) < len(sql)
    assert bench.phases.short_sql('SELECT "a" FROM "t"') == 'SELECT "a" FROM "t"'
