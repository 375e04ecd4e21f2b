"""Filters in the full-text index, and a covering index for distance and bbox searches.

- Every entry's search text ends with filter tokens (`models.filter_tokens`): the text
  index then answers "text + priority + territory + category" in one lookup instead of
  checking each matching row.
- SQLite: the two update triggers of migration 0003 become one. SQLite fires the most
  recently created trigger first, so the "insert new text" trigger ran before the "delete
  old text" one, and the delete removed the words the old and new texts share: a renamed
  published entry lost words from the index. The index is rebuilt once, with prefix
  indexes.
- PostgreSQL: a GIN index on the tsvector of the search text (published entries only)
  replaces the trigram index: prefix queries on whole words, with the tokens.
- The (state, latitude, longitude) index also carries the columns that distance, bbox and
  map filters test, so that they are answered from the index.
"""

from django.db import migrations, models

from tpj.core.migration_sql import sql_by_vendor

# Same format as models.filter_tokens (priority numbers 1 to 10 of docs/domain.md).
TOKENS_SQL = " || ".join(
    [
        "(CASE WHEN region_id IS NULL THEN '' ELSE ' 0r' || region_id END)",
        "(CASE WHEN departement_id IS NULL THEN '' ELSE ' 0d' || LOWER(departement_id) END)",
        "(CASE WHEN category_id IS NULL THEN '' ELSE ' 0c' || category_id END)",
        "(CASE WHEN kind_id IS NULL THEN '' ELSE ' 0k' || kind_id END)",
        *[f"(CASE WHEN (priority_mask & {1 << n}) <> 0 THEN ' 0p{n}' ELSE '' END)" for n in range(1, 11)],
    ]
)
ADD_TOKENS = f"UPDATE registry_entry SET search_text = search_text || {TOKENS_SQL}"

PUBLISHED_NEW = "new.state = 'verified' AND new.revision_of_id IS NULL"
PUBLISHED_OLD = "old.state = 'verified' AND old.revision_of_id IS NULL"
SQLITE_UPDATE_TRIGGER = f"""CREATE TRIGGER registry_entry_fts_au AFTER UPDATE OF search_text, state, revision_of_id
    ON registry_entry BEGIN
    INSERT INTO registry_entry_fts(registry_entry_fts, rowid, search_text)
        SELECT 'delete', old.id, old.search_text WHERE {PUBLISHED_OLD};
    INSERT INTO registry_entry_fts(rowid, search_text) SELECT new.id, new.search_text WHERE {PUBLISHED_NEW};
    END"""
# Prefix indexes of 2 and 3 characters: every word is searched as a prefix, and short
# prefixes ("le", "des") would otherwise expand to thousands of index terms.
SQLITE_FTS_TABLE = (
    "CREATE VIRTUAL TABLE registry_entry_fts USING fts5(search_text, content='registry_entry', content_rowid='id', prefix='2 3')"
)
SQLITE_FILL = (
    "INSERT INTO registry_entry_fts(rowid, search_text) SELECT id, search_text FROM registry_entry "
    "WHERE state = 'verified' AND revision_of_id IS NULL"
)

FORWARD = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS registry_entry_fts_au_old",
        "DROP TRIGGER IF EXISTS registry_entry_fts_au_new",
        ADD_TOKENS,
        "DROP TABLE registry_entry_fts",
        SQLITE_FTS_TABLE,
        SQLITE_FILL,
        SQLITE_UPDATE_TRIGGER,
    ],
    "postgresql": [
        "DROP INDEX IF EXISTS registry_entry_search_trgm",
        ADD_TOKENS,
        "CREATE INDEX registry_entry_search_fts ON registry_entry USING gin (to_tsvector('simple'::regconfig, search_text)) "
        "WHERE state = 'verified' AND revision_of_id IS NULL",
    ],
}
BACKWARD = {
    "sqlite": ["DROP TRIGGER IF EXISTS registry_entry_fts_au"],
    "postgresql": [
        "DROP INDEX IF EXISTS registry_entry_search_fts",
        "CREATE INDEX registry_entry_search_trgm ON registry_entry USING gin (search_text gin_trgm_ops) "
        "WHERE state = 'verified' AND revision_of_id IS NULL",
    ],
}


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_directory_index")]

    operations = [
        migrations.RunPython(sql_by_vendor(FORWARD), sql_by_vendor(BACKWARD)),
        migrations.RemoveIndex(model_name="entry", name="registry_state_latlon"),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["state", "latitude", "longitude", "revision_of", "priority_mask", "category", "kind"],
                name="registry_state_geo",
            ),
        ),
    ]
