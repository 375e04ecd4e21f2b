from django.db import migrations


def load(apps, schema_editor):
    from tpj.nomenclatures.loader import load_nomenclatures

    load_nomenclatures(apps)


class Migration(migrations.Migration):
    dependencies = [("nomenclatures", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
