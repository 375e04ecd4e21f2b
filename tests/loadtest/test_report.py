"""The load test's section of docs/benchmarks.md: verdicts, the recommended worker model, the writer."""

from scripts.loadtest import report


def figures(rate, p95, non_2xx=0, socket=0, **extra):
    return {
        "rate": rate,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 * 1.5,
        "non_2xx_3xx": non_2xx,
        "socket_errors": socket,
        "load_before": 1.0,
        "load_after": 1.5,
        "kb_per_request": 3.0,
        **extra,
    }


def model(rate_32, p95_32=100, errors=0, static=2000):
    return {
        "static": {8: figures(static, 5), 32: figures(static, 20)},
        "cold": figures(50, 900),
        "cold_clients": 32,
        "mix": {8: figures(rate_32 * 0.9, 30), 32: figures(rate_32, p95_32, non_2xx=errors)},
    }


def test_the_target_verdict_names_what_fell_short():
    assert report.target_verdict(figures(650, 120)) == "**met**"
    verdict = report.target_verdict(figures(412, 312, non_2xx=3))
    assert verdict.startswith("**missed**")
    assert "412 req/s < 600" in verdict and "p95 312 ms > 150" in verdict and "3 errors" in verdict


def test_the_recommended_model_is_the_fastest_without_errors():
    models = {"sync-2": model(300), "sync-4": model(500, errors=4), "gthread-2x4": model(420)}
    assert report.recommended(models) == "gthread-2x4"
    assert report.recommended({"sync-4": model(500, errors=4), "sync-2": model(300, errors=1)}) == "sync-4"


def run(**backends):
    return {
        "cores": 2,
        "load_at_start": 0.5,
        "commit": "abc1234",
        "command": "python -m scripts.loadtest --entries 20000",
        "wrk_version": "wrk 4.1.0",
        "duration": 10,
        "static_duration": 10,
        "static_path": "/static/core/site.abc.css",
        "static_kb": 0.1,
        "urls": {"map": 480, "search": 360, "entry": 240, "directory": 120},
        "backends": backends,
    }


def test_each_back_end_has_its_table_with_the_static_ceiling_beside_each_figure():
    endpoints = {
        "model": "sync-2",
        "clients": 32,
        "kinds": {k: figures(400, 90, urls=10) for k in ("map", "search", "entry", "directory")},
    }
    body = report.render(
        run(
            PostgreSQL={"data": "20 000 entries", "models": {"sync-2": model(600)}, "endpoints": endpoints},
            SQLite={"data": "", "error": "RuntimeError: boom"},
        )
    )
    assert "### PostgreSQL" in body and "### SQLite" in body and "boom" in body
    assert "Commit `abc1234`" in body and "python -m scripts.loadtest --entries 20000" in body and "2 cores" in body
    row = next(line for line in body.splitlines() if "| mix, warm | 32 |" in line)
    assert "| 600 | 2 000 | 30.0 % |" in row  # req/s, the static ceiling at 32 clients, the share
    assert "1.00 → 1.50" in row and "**met**" in row
    assert "Recommended worker model" in body and "gunicorn sync, 2 workers" in body
    assert body.count("| 400 | 20.0 % |") == 4  # each endpoint against the same ceiling


def test_the_writer_replaces_only_the_load_section(tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nbefore\n\n<!-- bench:load:start -->\nold table\n<!-- bench:load:end -->\n\nafter\n")
    report.write(page, "new table")
    report.write(page, "newer table")
    text = page.read_text()
    assert "old table" not in text and "new table\n" not in text and text.count("newer table") == 1
    assert text.startswith("# Benchmarks\n\nbefore\n") and text.endswith("\nafter\n")
