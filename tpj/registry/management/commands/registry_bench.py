import json

from django.core.management.base import BaseCommand

from tpj.registry import bench


class Command(BaseCommand):
    help = "Une phase du banc d'essai de l'annuaire (utilisé par `manage.py bench --only registry`)."

    def add_arguments(self, parser):
        parser.add_argument("--phase", choices=["load", "import", "measure"], required=True)
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--rows", type=int, default=bench.IMPORT_ROWS)

    def handle(self, *args, phase, entries, rows, **options):
        if phase == "load":
            result = bench.phase_load(entries)
        elif phase == "import":
            result = bench.phase_import(rows)
        else:
            result = bench.phase_measure()
        self.stdout.write("RESULT " + json.dumps(result))
