import json

from django.core.management.base import BaseCommand

from tpj.workspace import bench


class Command(BaseCommand):
    help = "Une phase du banc d'essai de « Mon espace » (utilisé par `manage.py bench --only workspace`)."

    def add_arguments(self, parser):
        parser.add_argument("--phase", choices=["load", "describe", "measure"], required=True)
        parser.add_argument("--entries", type=int, default=1_000_000)

    def handle(self, *args, phase, entries, **options):
        phases = {"load": lambda: bench.phase_load(entries), "describe": bench.phase_describe, "measure": bench.phase_measure}
        result = phases[phase]()
        self.stdout.write("RESULT " + json.dumps(result))
