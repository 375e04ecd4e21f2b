"""Index only published entries for text search (searches never look at the others).

Imports create thousands of submitted entries at once: they no longer pay for the
full-text index until they are verified. SQLite: the FTS5 triggers fire only for rows
that are (or were) published. PostgreSQL: the trigram index becomes partial.
"""

from django.db import migrations

from tpj.core.migration_sql import sql_by_vendor

PUBLISHED_NEW = "new.state = 'verified' AND new.revision_of_id IS NULL"
PUBLISHED_OLD = "old.state = 'verified' AND old.revision_of_id IS NULL"

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS registry_entry_fts_ai",
    "DROP TRIGGER IF EXISTS registry_entry_fts_ad",
    "DROP TRIGGER IF EXISTS registry_entry_fts_au",
    f"""CREATE TRIGGER registry_entry_fts_ai AFTER INSERT ON registry_entry WHEN {PUBLISHED_NEW} BEGIN
         INSERT INTO registry_entry_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
    f"""CREATE TRIGGER registry_entry_fts_ad AFTER DELETE ON registry_entry WHEN {PUBLISHED_OLD} BEGIN
         INSERT INTO registry_entry_fts(registry_entry_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END""",
    f"""CREATE TRIGGER registry_entry_fts_au_old AFTER UPDATE OF search_text, state, revision_of_id ON registry_entry
         WHEN {PUBLISHED_OLD} BEGIN
         INSERT INTO registry_entry_fts(registry_entry_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END""",
    f"""CREATE TRIGGER registry_entry_fts_au_new AFTER UPDATE OF search_text, state, revision_of_id ON registry_entry
         WHEN {PUBLISHED_NEW} BEGIN
         INSERT INTO registry_entry_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
    "INSERT INTO registry_entry_fts(registry_entry_fts) VALUES ('delete-all')",
    "INSERT INTO registry_entry_fts(rowid, search_text) SELECT id, search_text FROM registry_entry "
    "WHERE state = 'verified' AND revision_of_id IS NULL",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_entry_fts_au_new",
    "DROP TRIGGER IF EXISTS registry_entry_fts_au_old",
]
POSTGRES_FORWARD = [
    "DROP INDEX IF EXISTS registry_entry_search_trgm",
    "CREATE INDEX registry_entry_search_trgm ON registry_entry USING gin (search_text gin_trgm_ops) "
    "WHERE state = 'verified' AND revision_of_id IS NULL",
]


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_search_index")]

    operations = [
        migrations.RunPython(
            sql_by_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}), sql_by_vendor({"sqlite": SQLITE_BACKWARD})
        ),
    ]
