"""Database maintenance: fresh planner statistics, and on PostgreSQL the vacuum of the big tables.

`maintain_database()` runs nightly and after each bulk load (the registry's imports queue
`tpj.core.tasks.maintain_database` when they finish), instead of inside the import:

- SQLite: `ANALYZE` then `PRAGMA optimize` (statistics the query planner reads);
- PostgreSQL: `VACUUM (ANALYZE)` of the big tables (dead rows of updated entries reclaimed,
  statistics refreshed), then `ANALYZE` of the whole database. VACUUM cannot run inside a
  transaction: it runs on a connection of its own, in autocommit, outside any `atomic`
  block of the caller; a table locked by other work for more than MAINTENANCE_LOCK_TIMEOUT
  is skipped (and done the next night) rather than waited for.

The tables are named by model ("registry.Entry") in DATABASE_MAINTENANCE_MODELS, so that
this bottom layer never imports the apps that own them.
"""

import logging
import time

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.utils import DatabaseError

logger = logging.getLogger(__name__)

# The tables that grow by hundreds of thousands of rows (imports, the outbox, the journal).
BIG_MODELS = (
    "registry.Entry",
    "registry.Entry_members",
    "registry.EntryPriority",
    "registry.EntrySituation",
    "registry.ContactChannel",
    "registry.MapAggregate",
    "outbox.OutgoingEmail",
    "audit.AuditEvent",
)


def big_tables(models=None) -> list[str]:
    """The database tables of `models` (labels; default DATABASE_MAINTENANCE_MODELS), those that exist."""
    labels = models or getattr(settings, "DATABASE_MAINTENANCE_MODELS", BIG_MODELS)
    tables = []
    for label in labels:
        try:
            tables.append(apps.get_model(label)._meta.db_table)
        except (LookupError, ValueError):
            logger.warning("Database maintenance: unknown model %s", label)
    return tables


def maintain_database(models=None, *, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Refresh the statistics (and vacuum on PostgreSQL) of the database `using`; return what was done:
    {"vendor", "analyzed": [tables or "*"], "vacuumed": [tables], "skipped": [tables], "seconds"}."""
    started = time.monotonic()
    vendor = connections[using].vendor
    if vendor == "postgresql":
        report = _postgresql(big_tables(models), using)
    elif vendor == "sqlite":
        report = _sqlite(using)
    else:
        report = {"analyzed": [], "vacuumed": [], "skipped": []}
    report = {"vendor": vendor, **report, "seconds": round(time.monotonic() - started, 3)}
    logger.info(
        "Database maintenance (%s): analyzed %s, vacuumed %s, skipped %s in %.1f s",
        vendor,
        ", ".join(report["analyzed"]) or "-",
        ", ".join(report["vacuumed"]) or "-",
        ", ".join(report["skipped"]) or "-",
        report["seconds"],
    )
    return report


def _sqlite(using: str) -> dict:
    # ANALYZE and PRAGMA optimize are allowed inside a transaction on SQLite: the connection
    # in use serves, whatever the caller holds.
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA optimize")
    return {"analyzed": ["*"], "vacuumed": [], "skipped": []}


def _postgresql(tables: list[str], using: str) -> dict:
    connection = connections.create_connection(using)  # its own session, never in the caller's transaction
    vacuumed, skipped = [], []
    try:
        connection.set_autocommit(True)
        with connection.cursor() as cursor:
            timeout = int(getattr(settings, "MAINTENANCE_LOCK_TIMEOUT", 10))
            cursor.execute(f"SET lock_timeout = '{timeout}s'")
            for table in tables:
                try:
                    cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
                    vacuumed.append(table)
                except (OperationalError, DatabaseError) as error:  # lock_timeout, a table dropped meanwhile
                    logger.warning("Database maintenance: %s skipped (%s)", table, error)
                    skipped.append(table)
            cursor.execute("ANALYZE")
    finally:
        connection.close()
    return {"analyzed": ["*"], "vacuumed": vacuumed, "skipped": skipped}
