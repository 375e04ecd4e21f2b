"""The workspace benchmark's table says how its base was made: loaded by this run, or reused."""

from tpj.workspace.bench import render

MEASURE = {
    "rows": [{"label": "national team", "queries": 17, "p50": 20.0, "p95": 160.0, "max": 170.0}],
    "loadavg": [1.0, 1.2],
    "plan": ["Index Only Scan"],
}


def test_a_reused_base_is_said_so_and_a_missed_target_stays_marked():
    loaded = {"entries": 1_000_000, "queue": 100_000, "elsewhere": 8_196, "seconds": 466.0}
    text = render({"PostgreSQL": {"load": loaded, "measure": MEASURE}}, 1_000_000)
    assert "in 466 s" in text and "--reuse" not in text and "| **non** |" in text

    reused = {**loaded, "seconds": None}
    text = render({"PostgreSQL": {"load": reused, "measure": MEASURE}}, 1_000_000, reuse=True)
    assert "loaded by an earlier run (`--reuse`)" in text
    assert "`manage.py bench --only workspace --entries 1000000 --reuse`" in text
