"""Full-text search index on the normalised search text.

SQLite: an FTS5 external-content table kept in sync by triggers. PostgreSQL: pg_trgm and
a trigram GIN index (serves LIKE '%word%'). Other back-ends: nothing (plain scan).
"""

from django.db import migrations

from tpj.core.migration_sql import sql_by_vendor

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE registry_entry_fts USING fts5(search_text, content='registry_entry', content_rowid='id')",
    """CREATE TRIGGER registry_entry_fts_ai AFTER INSERT ON registry_entry BEGIN
         INSERT INTO registry_entry_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
    """CREATE TRIGGER registry_entry_fts_ad AFTER DELETE ON registry_entry BEGIN
         INSERT INTO registry_entry_fts(registry_entry_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END""",
    """CREATE TRIGGER registry_entry_fts_au AFTER UPDATE OF search_text ON registry_entry BEGIN
         INSERT INTO registry_entry_fts(registry_entry_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
         INSERT INTO registry_entry_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_entry_fts_au",
    "DROP TRIGGER IF EXISTS registry_entry_fts_ad",
    "DROP TRIGGER IF EXISTS registry_entry_fts_ai",
    "DROP TABLE IF EXISTS registry_entry_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_entry_search_trgm ON registry_entry USING gin (search_text gin_trgm_ops)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS registry_entry_search_trgm"]


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunPython(
            sql_by_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            sql_by_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
