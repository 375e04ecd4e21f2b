from django.core.management.base import BaseCommand, CommandError

from tpj.demo.services import ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Crée ou met à jour les données et comptes de démonstration (mode démo uniquement)."

    def handle(self, *args, **options):
        try:
            load_demo()
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Données de démonstration chargées ({len(ACCOUNTS)} comptes, mot de passe « {DEMO_PASSWORD} »).")
        )
