from django.core.management.base import BaseCommand
from django.db import transaction

from tpj.registry import aggregates
from tpj.registry.models import Entry

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Recalcule les données dérivées des fiches (département, région, carroyage, texte de recherche) "
        "puis les comptes de la carte : après un rechargement des territoires qui a changé le département "
        "d'une commune, ou un changement de libellé de catégorie."
    )

    def add_arguments(self, parser):
        parser.add_argument("--commune", nargs="*", default=[], help="codes INSEE (par défaut : toutes les fiches)")

    def handle(self, *args, commune, **options):
        entries = Entry.objects.select_related("commune", "category").order_by("pk")
        if commune:
            entries = entries.filter(commune_id__in=commune)
        done, last = 0, 0
        while batch := list(entries.filter(pk__gt=last)[:BATCH]):
            with transaction.atomic():
                for entry in batch:
                    entry.refresh_derived()
                    entry.save(
                        update_fields=["departement", "region", "cell_coarse", "cell_fine", "priority_mask", "search_text"]
                    )
            done, last = done + len(batch), batch[-1].pk
        rows = aggregates.rebuild()
        self.stdout.write(self.style.SUCCESS(f"{done} fiche(s) recalculée(s), {rows} compte(s) de carte reconstruits."))
