import json

from django.core.management.base import BaseCommand

from tpj.valorisation import bench


class Command(BaseCommand):
    help = "Une phase du banc d'essai du tableau de bord national (utilisé par `manage.py bench --only valorisation`)."

    def add_arguments(self, parser):
        parser.add_argument("--phase", choices=["load", "measure"], required=True)
        parser.add_argument("--entries", type=int, default=1_000_000)
        parser.add_argument("--resume", action="store_true", help="garder les fiches déjà chargées (reprise après échec)")

    def handle(self, *args, phase, entries, resume=False, **options):
        result = bench.phase_load(entries, resume=resume) if phase == "load" else bench.phase_measure()
        self.stdout.write("RESULT " + json.dumps(result))
