from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tpj.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers déposés (MEDIA_ROOT) dans une seule archive .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="chemin de l'archive (défaut : var/backups/tpj-AAAAMMJJ-HHMMSS.tar.gz)")

    def handle(self, *args, **options):
        default = Path(settings.BASE_DIR) / "var" / "backups" / f"tpj-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        output = Path(options["output"] or default)
        try:
            manifest = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Impossible d'écrire l'archive {output} : {error.strerror or error}.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde écrite : {output} (base {manifest['engine']}, {len(manifest['media'])} fichier(s) déposé(s))."
            )
        )
