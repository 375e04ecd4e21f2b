"""The indexes behind the public pages, API and map cover published entries only.

Imports and registrations create submitted entries: they no longer pay for five indexes
that only published entries are looked up in (100,000 imported rows into a table of one
million: 15.3 s → 11.1 s on SQLite). Duplicate warnings find unpublished neighbours
through their own small index. `revision_of` is indexed only where set, and the
priorities lose two single-column indexes that composite ones already start with, the
situations the index of their four-valued nomenclature. The
statistics are refreshed so that SQLite's planner knows the new indexes at once.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from tpj.core.migration_sql import sql_by_vendor

ANALYZE = ["ANALYZE registry_entry"]
DROP_SINGLE_INDEXES = [
    "DROP INDEX IF EXISTS registry_entry_revision_of_id_80f915ce",
    "DROP INDEX IF EXISTS registry_entrypriority_entry_id_c1ba397f",
    "DROP INDEX IF EXISTS registry_entrypriority_priority_id_b07a7ffa",
    "DROP INDEX IF EXISTS registry_entrysituation_situation_id_a82aa4bf",
]
RECREATE_SINGLE_INDEXES = [
    "CREATE INDEX IF NOT EXISTS registry_entry_revision_of_id_80f915ce ON registry_entry (revision_of_id)",
    "CREATE INDEX IF NOT EXISTS registry_entrypriority_entry_id_c1ba397f ON registry_entrypriority (entry_id)",
    "CREATE INDEX IF NOT EXISTS registry_entrypriority_priority_id_b07a7ffa ON registry_entrypriority (priority_id)",
    "CREATE INDEX IF NOT EXISTS registry_entrysituation_situation_id_a82aa4bf ON registry_entrysituation (situation_id)",
]


class Migration(migrations.Migration):
    dependencies = [
        ("nomenclatures", "0002_load_nomenclatures"),
        ("registry", "0007_postgres_stored_search_vector"),
        ("territories", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="entry",
            name="registry_state_category",
        ),
        migrations.RemoveIndex(
            model_name="entry",
            name="registry_state_name",
        ),
        migrations.RemoveIndex(
            model_name="entry",
            name="registry_commune_state",
        ),
        migrations.RemoveIndex(
            model_name="entry",
            name="registry_dept_state_name",
        ),
        migrations.RemoveIndex(
            model_name="entry",
            name="registry_state_geo",
        ),
        # The single-column foreign-key indexes are dropped by name: as an AlterField,
        # SQLite would rebuild both tables (and lose the full-text triggers, see 0006).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="revision_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="registry.entry",
                        verbose_name="révision de",
                    ),
                ),
                migrations.AlterField(
                    model_name="entrypriority",
                    name="entry",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="priorities",
                        to="registry.entry",
                    ),
                ),
                migrations.AlterField(
                    model_name="entrypriority",
                    name="priority",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="nomenclatures.priority",
                        verbose_name="priorité",
                    ),
                ),
                migrations.AlterField(
                    model_name="entrysituation",
                    name="situation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="nomenclatures.eligibilitysituation",
                        verbose_name="situation d'éligibilité",
                    ),
                ),
            ],
            database_operations=[migrations.RunSQL(DROP_SINGLE_INDEXES, RECREATE_SINGLE_INDEXES)],
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("revision_of__isnull", True), ("state", "verified")),
                fields=["latitude", "longitude", "state", "revision_of", "priority_mask", "category", "kind"],
                name="registry_published_geo",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("revision_of__isnull", True), ("state", "verified")),
                fields=["category", "departement", "state"],
                name="registry_published_category",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("revision_of__isnull", True), ("state", "verified")),
                fields=["state", "name"],
                name="registry_state_name",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("revision_of__isnull", True), ("state", "verified")),
                fields=["departement", "state", "name"],
                name="registry_dept_state_name",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("revision_of__isnull", True), ("state", "verified")),
                fields=["commune", "state"],
                name="registry_commune_state",
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("revision_of__isnull", False)), fields=["revision_of"], name="registry_revision_of"
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(models.Q(("state", "draft"), _negated=True), models.Q(("state", "verified"), _negated=True)),
                fields=["latitude", "longitude"],
                name="registry_unpublished_geo",
            ),
        ),
        migrations.RunPython(sql_by_vendor({"sqlite": ANALYZE, "postgresql": ANALYZE}), migrations.RunPython.noop),
    ]
