from django.db import migrations


def load(apps, schema_editor):
    from tpj.valorisation.loader import load_measures

    load_measures(apps)


class Migration(migrations.Migration):
    dependencies = [("valorisation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
