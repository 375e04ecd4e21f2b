"""On PostgreSQL, a trigger re-sums an envelope's allocations on every write and refuses any
over-allocation (check_violation), even from code that would bypass the services."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION calls_check_envelope() RETURNS trigger AS $$
DECLARE
    cap numeric;
    total numeric;
BEGIN
    SELECT national_dotation + local_top_up INTO cap FROM calls_envelope WHERE id = NEW.envelope_id FOR UPDATE;
    SELECT COALESCE(SUM(amount_allocated), 0) INTO total FROM calls_enveloperequest WHERE envelope_id = NEW.envelope_id;
    IF total > cap THEN
        RAISE EXCEPTION 'enveloppe % dépassée : % > %', NEW.envelope_id, total, cap USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS calls_envelope_guard ON calls_enveloperequest;
CREATE TRIGGER calls_envelope_guard AFTER INSERT OR UPDATE OF amount_allocated, envelope_id ON calls_enveloperequest
    FOR EACH ROW EXECUTE FUNCTION calls_check_envelope();
"""
DROP = """
DROP TRIGGER IF EXISTS calls_envelope_guard ON calls_enveloperequest;
DROP FUNCTION IF EXISTS calls_check_envelope();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("calls", "0002_jury_stats")]
    operations = [migrations.RunPython(create, drop)]
