from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tpj.registry import importer


class Command(BaseCommand):
    help = "Importe un fichier CSV de fiches d'un réseau (reprend un import interrompu de la même source)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="fichier CSV")
        parser.add_argument("--source", required=True, help="nom du réseau (sert à reconnaître les lignes déjà importées)")
        parser.add_argument("--chunk", type=int, default=importer.COMMAND_CHUNK_SIZE, help="lignes par transaction")

    def handle(self, *args, path, source, chunk, **options):
        def progress(job):
            self.stdout.write(f"  {job.next_row}/{job.total_rows} lignes ({job.progress_percent} %)")

        try:
            job = importer.import_file(path, source, chunk_size=chunk, progress=progress)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {path}") from None
        self.stdout.write(job.message)
        self.stdout.write(
            self.style.SUCCESS(
                f"{job.created_count} créée(s), {job.updated_count} déjà présente(s), {job.error_count} ligne(s) en erreur "
                f"en {job.elapsed:.1f} s."
            )
        )
        for error in job.errors[:50]:
            self.stdout.write(f"  ligne {error['ligne']} : {' ; '.join(error['erreurs'])}")
