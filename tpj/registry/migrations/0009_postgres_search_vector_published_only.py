"""PostgreSQL: the stored tsvector is computed for published entries only.

Only published entries are searched (the GIN index is partial to them); computing the
vector of every submitted row made PostgreSQL spend about 0.5 s more per 100,000
imported rows, at the moment the import is bound by the database's processor. The
column is rebuilt (generated expressions cannot be altered in PostgreSQL 15).
SQLite: nothing (FTS5 table of published entries).
"""

from django.db import migrations

from tpj.core.migration_sql import sql_by_vendor

PUBLISHED = "state = 'verified' AND revision_of_id IS NULL"


def _column(expression: str) -> list[str]:
    return [
        "ALTER TABLE registry_entry DROP COLUMN IF EXISTS search_vector",  # drops its GIN index
        f"ALTER TABLE registry_entry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED",
        f"CREATE INDEX registry_entry_search_fts ON registry_entry USING gin (search_vector) WHERE {PUBLISHED}",
    ]


VECTOR = "strip(to_tsvector('simple'::regconfig, search_text))"
FORWARD = _column(f"CASE WHEN {PUBLISHED} THEN {VECTOR} END")
BACKWARD = _column(VECTOR)


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_published_only_public_indexes")]

    operations = [migrations.RunPython(sql_by_vendor({"postgresql": FORWARD}), sql_by_vendor({"postgresql": BACKWARD}))]
