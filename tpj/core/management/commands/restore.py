from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tpj.core.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Restaure une archive de `backup` : remplace TOUTE la base de données et TOUT le contenu de MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="archive .tar.gz produite par `manage.py backup`")
        parser.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")

    def handle(self, *args, **options):
        archive = Path(options["archive"])
        try:
            manifest = read_manifest(archive)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if not options["yes"]:
            answer = input(
                f"Remplacer toute la base et tous les fichiers déposés par la sauvegarde du {manifest['created_at']} ? "
                "Tapez « oui » pour confirmer : "
            )
            if answer.strip().lower() != "oui":
                raise CommandError("Restauration annulée : rien n'a été modifié.")
        try:
            restore_backup(archive)
        except BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Restauration impossible : {error.strerror or error}.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration terminée : base {manifest['engine']} et {len(manifest['media'])} fichier(s). "
                "Lancez `manage.py migrate` si le code est plus récent que la sauvegarde."
            )
        )
