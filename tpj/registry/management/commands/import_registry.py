import time

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from tpj.core.queue import QueueUnavailable, enqueue_quietly
from tpj.registry import importer
from tpj.registry.models import ImportJob
from tpj.registry.tasks.imports import run_import

POLL = 0.5  # seconds between two readings of the job's progress
HINT_AFTER = 15  # seconds without progress before saying that no worker seems to run
REQUEUE_AFTER = 10  # seconds before queuing again a job that no live worker holds


class Command(BaseCommand):
    help = (
        "Importe un fichier CSV de fiches d'un réseau : l'import est confié aux workers (manage.py run_huey) "
        "et sa progression affichée ici ; --here l'exécute dans ce processus. Reprend un import interrompu "
        "de la même source."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="fichier CSV")
        parser.add_argument("--source", required=True, help="nom du réseau (sert à reconnaître les lignes déjà importées)")
        parser.add_argument("--chunk", type=int, default=importer.COMMAND_CHUNK_SIZE, help="lignes par transaction")
        parser.add_argument("--here", action="store_true", help="exécuter l'import dans ce processus, sans worker")

    def handle(self, *args, path, source, chunk, here, **options):
        started = time.perf_counter()
        job = importer.unfinished_job(source)
        if job is None:
            try:
                with open(path, "rb") as handle:
                    job = importer.create_job(source, File(handle, name=path.rsplit("/", 1)[-1]), None, chunk_size=chunk)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            except FileNotFoundError:
                raise CommandError(f"Fichier introuvable : {path}") from None
        else:
            self.stdout.write(f"Reprise de l'import n° {job.pk} à la ligne {job.next_row + 2}.")
        if here:
            self._run_here(job)
        else:
            try:
                importer.queue_job(job)
            except QueueUnavailable as error:
                raise CommandError(f"{error.message} (ou relancez avec --here)") from None
        job = self._follow(job, here)
        self.stdout.write(job.message)
        summary = f"{importer.summary(job)} en {time.perf_counter() - started:.1f} s."
        if job.status == ImportJob.Status.DONE:
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            self.stdout.write(self.style.ERROR(summary))
        for error in job.errors[:50]:
            self.stdout.write(f"  ligne {error['ligne']} : {' ; '.join(error['erreurs'])}")
        if job.status != ImportJob.Status.DONE:
            raise CommandError("L'import a échoué.")

    def _progress(self, job):
        self.stdout.write(f"  {job.next_row}/{job.total_rows} lignes ({job.progress_percent} %)")

    def _run_here(self, job):
        token = importer.claim(job.pk)
        if token is not None:
            job = ImportJob.objects.select_related("created_by").get(pk=job.pk)
            importer.run_claimed(job, token, progress=self._progress, prepare_ahead=True)

    def _follow(self, job, here) -> ImportJob:
        """Print the job's progress until it ends. When no live worker holds it (its lease
        expired: the process running it was killed), run it here (--here) or queue it again."""
        shown, last_change, hinted = None, time.monotonic(), False
        queued = time.monotonic()
        while True:
            job = ImportJob.objects.get(pk=job.pk)
            if job.next_row != shown:
                shown, last_change = job.next_row, time.monotonic()
                if not job.is_finished:
                    self._progress(job)
            if job.is_finished:
                return job
            if importer.is_free(job):
                if here:
                    self._run_here(job)
                    continue
                if time.monotonic() - queued > REQUEUE_AFTER:
                    queued = time.monotonic()
                    enqueue_quietly(run_import, job.pk)
            if not hinted and time.monotonic() - last_change > HINT_AFTER:
                hinted = True
                self.stdout.write(
                    "  En attente d'un worker (manage.py run_huey), ou de la fin du bail du processus qui "
                    "traitait l'import… (--here pour l'exécuter dans ce processus)"
                )
            time.sleep(POLL)
