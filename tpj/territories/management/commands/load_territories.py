from django.core.management.base import BaseCommand

from tpj.territories.loader import load_territories


class Command(BaseCommand):
    help = "Charge (ou recharge sans doublon) les régions, départements et communes du COG 2026."

    def handle(self, *args, **options):
        report = load_territories()
        self.stdout.write(self.style.SUCCESS(f"Territoires : {report}."))
