import json

from django.core.management.base import BaseCommand

from tpj.core.bench_queue import phases


class Command(BaseCommand):
    help = "Une phase du banc d'essai de la file de tâches (utilisé par `manage.py bench --only queue`)."

    def add_arguments(self, parser):
        parser.add_argument("--phase", choices=["measure", "worker"], required=True)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--rows", type=int, default=phases.IMPORT_ROWS)
        parser.add_argument("--no-periodic", action="store_false", dest="periodic", help="Sans les tâches planifiées.")

    def handle(self, *args, phase, workers, rows, periodic, **options):
        if phase == "worker":
            phases.run_worker(workers, periodic)
            return
        self.stdout.write("RESULT " + json.dumps(phases.measure(rows), default=str))
