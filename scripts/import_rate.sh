#!/usr/bin/env bash
# The registry import rate (docs/benchmarks.md, « Import on a quiet machine »).
#
#   scripts/import_rate.sh [ROWS] [BASE] [RUNS]
#
# On a fresh database: BASE published synthetic entries loaded first (the registry bench's
# loader; 0 by default), then RUNS times (1 by default) ROWS synthetic rows through the
# command line's path (`import_file`) and ROWS more through the workers (a real `run_huey`
# consumer with QUEUE_WORKERS workers, the job timed from its queueing to its end). Each run
# imports under new sources: nothing is skipped as already present, and the table grows.
# One JSON line per run: rates, peak RSS of the largest process, load average before/after.
#
# SQLite (a temporary file) by default; PostgreSQL with DATABASE_URL=postgres://…/NAME:
# the database NAME is DROPPED and created again. E.g. the issue's figure:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tpj_import_rate scripts/import_rate.sh 100000 1000000 3
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-100000}" BASE="${2:-0}" RUNS="${3:-1}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export DATABASE_URL="${DATABASE_URL:-sqlite:///$WORK/db.sqlite3}" QUEUE_URL="sqlite:///$WORK/queue.sqlite3"
export MEDIA_ROOT="$WORK/media" DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.base} DEBUG=False ROWS BASE RUNS
case "$DATABASE_URL" in
postgres*) .venv/bin/python -c 'import os; from tpj.core.bench import fresh_database; fresh_database("PostgreSQL", os.environ["DATABASE_URL"])' ;;
esac
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_territories -v0 >/dev/null
if [ "$BASE" -gt 0 ]; then
    .venv/bin/python manage.py registry_bench --phase load --entries "$BASE" >/dev/null
    case "$DATABASE_URL" in # as the registry bench does: the load's pages written back before the timing
    postgres*) .venv/bin/python -c 'import os, django; django.setup(); from tpj.registry.bench import settle_postgres; settle_postgres(os.environ["DATABASE_URL"])' ;;
    esac
fi
.venv/bin/python manage.py shell -c '
import json, os, resource, time
from pathlib import Path
from django.conf import settings
from django.db import connection
from tpj.core.bench_queue.phases import Consumer
from tpj.registry import importer, synthetic
from tpj.registry.models import Entry, ImportJob
from tpj.registry.tasks.imports import bench_start

rows, work = int(os.environ["ROWS"]), Path(os.environ["MEDIA_ROOT"]).parent


def csv(name):
    path = work / f"{name}.csv"
    synthetic.Generator(seed=7).write_csv(path, rows, source_prefix=name)
    return path


def through_workers(path, source):
    started = time.perf_counter()
    job_id = bench_start(str(path), source)
    while (job := ImportJob.objects.get(pk=job_id)).status not in ("done", "failed"):
        time.sleep(0.05)
    return job, time.perf_counter() - started


# Without the scheduled jobs: the quarter-hourly open-data refresh would write a file of the
# whole table beside the import, on the same cores (the import still queues its maintenance).
with Consumer(workers=settings.QUEUE_WORKERS, periodic=False):
    for run in range(1, int(os.environ["RUNS"]) + 1):
        before, table = os.getloadavg(), Entry.objects.count()
        path = csv(f"C{run}")
        started = time.perf_counter()
        job = importer.import_file(str(path), f"rate-cli-{run}")
        cli = job.created_count / (time.perf_counter() - started)
        job, seconds = through_workers(csv(f"W{run}"), f"rate-workers-{run}")
        print(json.dumps({
            "database": connection.vendor, "run": run, "rows": rows, "table_before": table,
            "command_line_per_s": round(cli), "workers_per_s": round(job.created_count / seconds), "workers_status": job.status,
            "load_before": [round(x, 2) for x in before], "load_after": [round(x, 2) for x in os.getloadavg()],
            "peak_rss_mb_this_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        }), flush=True)
print(json.dumps({"peak_rss_mb_largest_worker_or_helper": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}))
'
