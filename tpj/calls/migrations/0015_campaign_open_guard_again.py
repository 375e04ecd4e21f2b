"""The open-campaign guard of 0005, created again: on SQLite, 0013 (a constraint on calls_call)
rebuilt the table, and a rebuilt table loses its triggers. CREATE … IF NOT EXISTS: nothing
changes where the trigger survived (PostgreSQL)."""

from importlib import import_module

from django.db import migrations

guard = import_module("tpj.calls.migrations.0005_dotation_constraint_and_open_campaign_trigger")


class Migration(migrations.Migration):
    dependencies = [("calls", "0014_clp_agency_label")]

    operations = [migrations.RunPython(guard.create_trigger, migrations.RunPython.noop)]
