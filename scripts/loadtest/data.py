"""The registries the load test reads: N synthetic verified entries on PostgreSQL (database
`tpj_loadtest`) and on SQLite (`var/loadtest.sqlite3`). Each is kept between runs and reused
when it already holds N entries; otherwise it is built again with the registry benchmark's
loader (`manage.py registry_bench --phase load`: entries, map counts, planner statistics)."""

import os
import sqlite3
import time
from pathlib import Path

import psycopg

from tpj.core.bench import fresh_database, migrate, run_manage

from ..scale_check.cluster import PG, ROOT, log

POSTGRES_DB = "tpj_loadtest"
SQLITE_PATH = ROOT / "var" / "loadtest.sqlite3"
BACKENDS = {
    "postgres": (
        "PostgreSQL",
        os.environ.get("LOADTEST_POSTGRES_URL", f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{POSTGRES_DB}"),
    ),
    "sqlite": ("SQLite", f"sqlite:///{SQLITE_PATH}"),
}


def entry_count(url: str) -> int | None:
    """Rows of registry_entry in the database at `url`; None when the database or the table is missing."""
    try:
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                return None
            with sqlite3.connect(path) as conn:
                return conn.execute("SELECT count(*) FROM registry_entry").fetchone()[0]
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM registry_entry").fetchone()[0]
    except (sqlite3.Error, psycopg.Error):
        return None


def ensure(name: str, url: str, entries: int) -> str:
    """Make the database at `url` hold exactly `entries` entries on the current schema; say what was done."""
    found = entry_count(url)
    if found == entries:
        migrate_only(url)  # migrations landed since the last run apply to the kept data
        return f"{name}: {entries:,} entries kept from an earlier run".replace(",", " ")
    log(f"{name}: {found if found is not None else 'no'} entries found, building {entries} (this takes a while at 1,000,000)")
    started = time.perf_counter()
    fresh_database(name, url)
    migrate(url)
    run_manage(["registry_bench", "--phase", "load", "--entries", str(entries)], url)
    return f"{name}: {entries:,} entries built in {time.perf_counter() - started:.0f} s".replace(",", " ")


def migrate_only(url: str) -> None:
    run_manage(["migrate", "--noinput"], url, timeout=3600)


def drop(name: str, url: str) -> None:
    """Remove a kept database (`--drop-data`)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        base, dbname = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    log(f"{name}: data dropped")
