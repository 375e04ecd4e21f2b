#!/usr/bin/env bash
# The registry import rate on a fresh embedded (SQLite) database: N synthetic rows through the
# command line's path (`import_file`, chunks prepared ahead in a second process), then the same
# number through two real workers (`run_huey`). Usage: scripts/import_rate.sh [ROWS]
# (docs/benchmarks.md, « Import on a quiet machine »).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-100000}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export DATABASE_URL="sqlite:///$WORK/db.sqlite3" QUEUE_URL="sqlite:///$WORK/queue.sqlite3" MEDIA_ROOT="$WORK/media" ROWS
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py load_territories -v0 >/dev/null
.venv/bin/python manage.py shell -c '
import json, os
from tpj.core.bench_queue import phases
rows = int(os.environ["ROWS"])
cli = phases.import_command_line(rows)
workers = phases._import_workers(rows)
print(json.dumps({"command_line_per_s": round(cli["rate"]), "workers_per_s": round(workers["rate"]), "load": os.getloadavg()}))
'
