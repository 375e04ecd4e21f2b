"""PostgreSQL: autovacuum visits the entries after 1 % of them changed, not 20 %.

The public map and "near a commune" searches count entries with index-only scans, which
skip the table only on pages the visibility map marks all-visible. Every registration,
edit, moderation decision or import clears that mark on the page it writes, and
PostgreSQL's default waits for 20 % of the table (200,000 rows in a million) to be
inserted or changed before the VACUUM that sets it back: until then those searches read
the table (p95 100 ms instead of 25 in the benchmark). Statistics follow at 2 %, so that
the planner sees the moderation queues grow. SQLite has no autovacuum: nothing to do.
"""

from django.db import migrations

from tpj.core.migration_sql import sql_by_vendor

SETTINGS = ("autovacuum_vacuum_scale_factor", "autovacuum_vacuum_insert_scale_factor", "autovacuum_analyze_scale_factor")

FORWARD = {
    "postgresql": [
        "ALTER TABLE registry_entry SET (autovacuum_vacuum_scale_factor = 0.01, "
        "autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02)",
    ]
}
BACKWARD = {"postgresql": [f"ALTER TABLE registry_entry RESET ({', '.join(SETTINGS)})"]}


class Migration(migrations.Migration):
    dependencies = [("registry", "0010_territory_composite_foreign_key")]

    operations = [migrations.RunPython(sql_by_vendor(FORWARD), sql_by_vendor(BACKWARD))]
