"""Named locks held until the current transaction ends, on both back-ends."""

from django.db import connection


def hold_until_commit(name: str) -> None:
    """Serialise every transaction that takes `name` (call inside `transaction.atomic()`):
    the next one waits here until this one commits or rolls back. PostgreSQL: an advisory
    lock on the name's hash; SQLite needs none, its transactions take the write lock when
    they begin (IMMEDIATE, config/settings) and so already run one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
