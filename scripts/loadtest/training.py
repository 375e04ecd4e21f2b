"""The training catalogue's public reads under concurrent load (issue 20, definition of done).

    .venv/bin/python -m scripts.loadtest.training [--database URL] [--seconds S]

On the base the training bench loaded (`manage.py bench --only training`: 20,000 offers and
100,000 sessions; SQLite `var/bench-training.sqlite3` by default, or its PostgreSQL base with
`--database postgres://…/tpj_bench_training`), one gunicorn node as production runs it (sync,
2 workers: scripts/loadtest/server.py) and wrk with 8 then 32 clients cycling through varied
search pages, search API and map API URLs (themes, audiences, régions, communes, pages), beside
the static-file ceiling. Anonymous reads are served from the public cache
(tpj/core/public_cache) as in production: each read is first measured on a cold pass (each URL
once: the misses, which fill the cache), then warm at 8 and 32 clients. Prints one Markdown
table; writes nothing else.
"""

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from ..scale_check.cluster import PYTHON, ROOT
from . import server, wrk
from .run import _static_path

AUDIENCES = ["eaje", "assistant_maternel", "garde_domicile", "animateur_rpe"]
REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93"]
COMMUNES = ["35238", "75056", "69123", "13055", "31555", "33063", "44109", "59350", "67482", "34172"]


def paths(seed: int = 20) -> dict[str, list[str]]:
    """Varied URLs of each public read of the catalogue (so that no cache answers them all)."""
    rng = random.Random(seed)

    def query() -> str:
        parts = [f"theme={rng.randint(1, 7)}"]
        if rng.random() < 0.5:
            parts.append(f"public={rng.choice(AUDIENCES)}")
        pick = rng.random()
        if pick < 0.3:
            parts.append(f"region={rng.choice(REGIONS)}")
        elif pick < 0.6:
            parts.append(f"autour={rng.choice(COMMUNES)}&km=30")
        return "&".join(parts)

    return {
        "search page": [f"/formations/?{query()}&page={rng.randint(1, 3)}" for _ in range(300)],
        "search API": [f"/api/v1/training/sessions/?{query()}&page={rng.randint(1, 3)}" for _ in range(300)],
        "map API": [f"/api/v1/training/carte/?{query()}" for _ in range(300)],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / 'bench-training.sqlite3'}")
    parser.add_argument("--seconds", type=float, default=15)
    options = parser.parse_args(argv)
    if not wrk.available():
        print(wrk.INSTALL_HINT, file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="tpj-loadtest-training-"))
    server.collectstatic(workdir)
    static, _ = _static_path(workdir)
    files = {"static file (ceiling)": [static] * 10, **paths()}
    node = server.Server("sync-2", options.database, workdir).start()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    rows = []
    try:
        for label, urls in files.items():
            path_file = workdir / f"{label.replace(' ', '-')}.txt"
            path_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
            if label.startswith("static"):
                wrk.timed(node.base, path_file, 8, 3)  # warm-up: connections
            else:
                # Each URL once, right after start: what a miss of the public cache costs (the
                # view, its queries, the compression), and what fills it for the timed phases.
                rows.append((f"{label}, cold pass (each URL once)", 8, wrk.once(node.base, path_file, 8)))
            for clients in (8, 32):
                result = wrk.timed(node.base, path_file, clients, options.seconds)
                rows.append((label, clients, result))
                time.sleep(1)
    finally:
        node.stop()
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    ceiling = {c: r["rate"] for label, c, r in rows if label.startswith("static")}
    print(f"Base : {options.database.split('@')[-1]} — gunicorn sync, 2 workers — load {load_before} → {load_after}")
    print("| read | clients | requests/s | p50 (ms) | p95 (ms) | errors | share of the static-file rate |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, clients, r in rows:
        errors = r["non_2xx_3xx"] + r["socket_errors"]
        share = r["rate"] / ceiling[clients] * 100 if ceiling.get(clients) else 0
        print(f"| {label} | {clients} | {r['rate']:,.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {errors} | {share:.1f} % |")
    print("RESULT " + json.dumps([(label, clients, r) for label, clients, r in rows]))
    return 0


if __name__ == "__main__":
    if not (ROOT / "manage.py").exists() or not Path(PYTHON).exists():
        print("Lancez depuis la racine du projet, après make install.", file=sys.stderr)
        sys.exit(2)
    sys.exit(main())
