"""The yearly accuracy review of published entries: its state and dates.

The state column is added with its default by one ALTER TABLE on both databases (metadata
only on PostgreSQL 11+; SQLite appends the column): Django would rebuild the whole table on
SQLite for a NOT NULL column with a default, which is slow on a large registry and drops the
triggers of the full-text index (see migration 0006).
"""

from django.db import migrations, models
from django.db.models import Q

ADD_REVIEW_STATE = "ALTER TABLE registry_entry ADD COLUMN review_state varchar(24) DEFAULT 'current' NOT NULL"
DROP_REVIEW_STATE = "ALTER TABLE registry_entry DROP COLUMN review_state"


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_postgres_entry_autovacuum"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="review_requested_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="confirmation demandée le"),
        ),
        migrations.AddField(
            model_name="entry",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="exactitude confirmée le"),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD_REVIEW_STATE, DROP_REVIEW_STATE)],
            state_operations=[
                migrations.AddField(
                    model_name="entry",
                    name="review_state",
                    field=models.CharField(
                        choices=[
                            ("current", "À jour"),
                            ("confirmation_requested", "Confirmation d'exactitude demandée"),
                            ("suspension_proposed", "Suspension proposée faute de confirmation"),
                            ("lapsed", "Suspendue faute de confirmation"),
                        ],
                        default="current",
                        editable=False,
                        max_length=24,
                        verbose_name="revue annuelle",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=~Q(review_state="current"),
                fields=["review_state", "review_requested_at"],
                name="registry_review_pending",
            ),
        ),
    ]
