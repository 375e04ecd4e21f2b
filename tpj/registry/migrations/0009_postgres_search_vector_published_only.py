"""PostgreSQL: the stored tsvector covers published entries only, with word prefixes.

- Only published entries are searched (the GIN index is partial to them): computing the
  vector of every submitted row cost about 0.5 s per 100,000 imported rows, when the
  import is bound by the database's processor.
- A search treats its last word as a prefix (being typed). A prefix match (`creche:*`)
  makes GIN gather every matching entry before intersecting, then recheck each row: on
  one million entries, a broad « crèche » + région + priorité search spent 27 ms in the
  index instead of 12 and twice as long reading rows. The vector now also holds each
  word's first 2 to 6 letters as `0q<prefix>` lexemes (`filters.ts_query` looks them up
  exactly): combined searches p95 69 → 45 ms, for an index of 119 MB instead of 33.

The column is rebuilt (PostgreSQL 15 cannot alter a generated expression). SQLite:
nothing (its FTS5 table has its own prefix indexes).
"""

from django.db import migrations

from tpj.core.migration_sql import sql_by_vendor

PUBLISHED = "state = 'verified' AND revision_of_id IS NULL"
# Each word's first 2 to 6 letters, as `0q<prefix>` (not for the filter tokens, `0<letter>…`).
PREFIXES_FUNCTION = """
CREATE OR REPLACE FUNCTION registry_search_prefixes(text) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT coalesce(string_agg('0q' || left(word, n), ' '), '')
  FROM regexp_split_to_table($1, ' ') AS word, generate_series(2, 6) AS n
  WHERE length(word) >= n AND word !~ '^0[a-z]'
$$
"""


def _column(expression: str) -> list[str]:
    return [
        "ALTER TABLE registry_entry DROP COLUMN IF EXISTS search_vector",  # drops its GIN index
        f"ALTER TABLE registry_entry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED",
        f"CREATE INDEX registry_entry_search_fts ON registry_entry USING gin (search_vector) WHERE {PUBLISHED}",
    ]


FORWARD = [
    PREFIXES_FUNCTION,
    *_column(
        f"CASE WHEN {PUBLISHED} THEN strip(to_tsvector('simple'::regconfig, "
        "search_text || ' ' || registry_search_prefixes(search_text))) END"
    ),
]
BACKWARD = [
    *_column("strip(to_tsvector('simple'::regconfig, search_text))"),
    "DROP FUNCTION IF EXISTS registry_search_prefixes(text)",
]


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_published_only_public_indexes")]

    operations = [migrations.RunPython(sql_by_vendor({"postgresql": FORWARD}), sql_by_vendor({"postgresql": BACKWARD}))]
