import json

from django.core.management.base import BaseCommand

from tpj.training import bench


class Command(BaseCommand):
    help = "Une phase du banc d'essai de l'offre de formation (utilisé par `manage.py bench --only training`)."

    def add_arguments(self, parser):
        parser.add_argument("--phase", choices=["load", "describe", "measure"], required=True)
        parser.add_argument("--offers", type=int, default=bench.DEFAULT_OFFERS)
        parser.add_argument("--sessions", type=int, default=bench.DEFAULT_SESSIONS)

    def handle(self, *args, phase, offers, sessions, **options):
        phases = {
            "load": lambda: bench.phase_load(offers, sessions),
            "describe": bench.phase_describe,
            "measure": bench.phase_measure,
        }
        result = phases[phase]()
        self.stdout.write("RESULT " + json.dumps(result))
