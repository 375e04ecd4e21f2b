from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tpj.core.accessibility import grid_markdown, load_audit


class Command(BaseCommand):
    help = (
        "Écrit la grille d'audit RGAA 4.1 (docs/accessibilite.md) à partir des données de l'audit "
        "(tpj/core/data/rgaa/audit.json) ; sans --write, l'affiche."
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", metavar="CHEMIN", help="fichier à écrire (par exemple docs/accessibilite.md)")

    def handle(self, *args, **options):
        try:
            audit = load_audit()
        except KeyError as error:
            raise CommandError(f"Le critère {error} du référentiel manque dans audit.json.") from None
        text = grid_markdown(audit)
        if not options["write"]:
            self.stdout.write(text, ending="")
            return
        path = Path(options["write"])
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Impossible d'écrire {path} : {error.strerror or error}.") from None
        result = audit.compliance
        self.stdout.write(
            self.style.SUCCESS(
                f"Grille écrite : {path} ({len(audit.criteria)} critères, taux de conformité {result.rate} %, {result.state})."
            )
        )
