from django.conf import settings
from django.core.management.base import BaseCommand

from tpj.privacy.services import purge_drafts


class Command(BaseCommand):
    help = (
        "Supprime les brouillons abandonnés et les inscriptions refusées non modifiées depuis DRAFT_RETENTION_DAYS jours "
        "(à planifier chaque nuit, par exemple avec cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compter sans supprimer")

    def handle(self, *args, **options):
        counts = purge_drafts(dry_run=options["dry_run"])
        verb = "à supprimer" if options["dry_run"] else "supprimé(s)"
        details = ", ".join(f"{label} : {n}" for label, n in counts.items())
        self.stdout.write(f"Durée de conservation : {settings.DRAFT_RETENTION_DAYS} jours. {verb.capitalize()} — {details}.")
