import json

from django.core.management.base import BaseCommand

from tpj.valorisation import bench


class Command(BaseCommand):
    help = "Une phase du banc d'essai du tableau de bord national (utilisé par `manage.py bench --only valorisation`)."

    def add_arguments(self, parser):
        parser.add_argument("--phase", choices=["load", "measure"], required=True)
        parser.add_argument("--entries", type=int, default=1_000_000)

    def handle(self, *args, phase, entries, **options):
        result = bench.phase_load(entries) if phase == "load" else bench.phase_measure()
        self.stdout.write("RESULT " + json.dumps(result))
