"""Orchestration shared by the modules' benchmarks: each phase runs in a child process
(`manage.py <module>_bench --phase …`) against its own database, and prints one
`RESULT {json}` line that the parent reads back; and what their reports share (percentiles,
figures, the heading of each set-up)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
from django.conf import settings


def run_manage(args, url, timeout=7200, env=None) -> str:
    """Run `manage.py *args` on the database at `url` (more variables in `env`); return its standard output."""
    env = {
        **os.environ,
        **(env or {}),
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "False",
        "GEOCODER": "offline",
    }
    result = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} a échoué :\n{result.stderr[-3000:]}")
    return result.stdout


def read_result(stdout: str) -> dict:
    """The JSON of the last `RESULT …` line a benchmark phase printed."""
    line = [x for x in stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line.removeprefix("RESULT "))


def fresh_database(name, url):
    """Start from an empty database: delete the SQLite file, or drop and recreate on PostgreSQL."""
    if name == "SQLite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    base, dbname = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def migrate(url):
    """Create the schema and load the territories on the database at `url`."""
    run_manage(["migrate", "--noinput"], url, timeout=3600)
    run_manage(["load_territories"], url, timeout=3600)


def percentile(values, fraction):
    """The value at `fraction` (0.95 for the p95) of `values`, by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def thousands(value) -> str:
    """A figure rounded to a whole number, thousands separated by a space ("12 345")."""
    return f"{value:,.0f}".replace(",", " ")


def section_heading(name: str, result: dict) -> list[str]:
    """The report's lines that open a set-up (« SQLite », « PostgreSQL + Redis »), followed by
    its error when its benchmark failed (`result` holds an "error" then)."""
    lines = ["", f"### {name}", ""]
    if "error" in result:
        lines += ["Échec du banc :", "", "```", result["error"], "```"]
    return lines
