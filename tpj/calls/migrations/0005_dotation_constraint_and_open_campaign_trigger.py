"""Money counted once, and closed campaigns (issue 13 §2), part 2: the rules in the database.

- `one_dotation_per_agency_and_campaign`: one national dotation (envelope) per agency —
  région + ARS or DREETS — and campaign.
- A trigger (PostgreSQL and SQLite) refuses to insert a call into a campaign that is not open,
  or to move a call into one: even code bypassing `create_call` cannot add a call to a closed
  or transmitted campaign. (A CHECK constraint cannot read another table's row.)
"""

import django.db.models.deletion
from django.db import migrations, models

PG_CREATE = """
CREATE OR REPLACE FUNCTION calls_check_campaign_open() RETURNS trigger AS $$
DECLARE
    campaign_state varchar;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.campaign_id = OLD.campaign_id THEN
        RETURN NEW;
    END IF;
    SELECT state INTO campaign_state FROM calls_campaign WHERE id = NEW.campaign_id FOR SHARE;
    IF campaign_state IS DISTINCT FROM 'open' THEN
        RAISE EXCEPTION 'la campagne % n''est pas ouverte : aucun nouvel appel', NEW.campaign_id USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS calls_campaign_open_guard ON calls_call;
CREATE TRIGGER calls_campaign_open_guard BEFORE INSERT OR UPDATE OF campaign_id ON calls_call
    FOR EACH ROW EXECUTE FUNCTION calls_check_campaign_open();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS calls_campaign_open_guard ON calls_call;
DROP FUNCTION IF EXISTS calls_check_campaign_open();
"""
SQLITE_CREATE = [
    """
    CREATE TRIGGER IF NOT EXISTS calls_campaign_open_guard BEFORE INSERT ON calls_call
    WHEN (SELECT state FROM calls_campaign WHERE id = NEW.campaign_id) IS NOT 'open'
    BEGIN SELECT RAISE(ABORT, 'la campagne n''est pas ouverte : aucun nouvel appel'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS calls_campaign_open_guard_move BEFORE UPDATE OF campaign_id ON calls_call
    WHEN NEW.campaign_id IS NOT OLD.campaign_id AND (SELECT state FROM calls_campaign WHERE id = NEW.campaign_id) IS NOT 'open'
    BEGIN SELECT RAISE(ABORT, 'la campagne n''est pas ouverte : aucun nouvel appel'); END
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS calls_campaign_open_guard", "DROP TRIGGER IF EXISTS calls_campaign_open_guard_move"]


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("calls", "0004_dotation_once_per_agency_and_campaign_state")]

    operations = [
        migrations.AlterField(
            model_name="envelope",
            name="campaign",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="calls.campaign",
                verbose_name="campagne",
            ),
        ),
        migrations.AlterField(
            model_name="envelope",
            name="region",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.region",
                verbose_name="région",
            ),
        ),
        migrations.AddConstraint(
            model_name="envelope",
            constraint=models.UniqueConstraint(
                fields=("campaign", "region", "agency"),
                name="one_dotation_per_agency_and_campaign",
                violation_error_message="Cette agence a déjà sa dotation nationale pour cette campagne.",
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
