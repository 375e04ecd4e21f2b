"""Make every cached public read unreachable at once (tpj.core.public_cache)."""

from django.core.management.base import BaseCommand

from tpj.core.public_cache import versions


class Command(BaseCommand):
    help = (
        "Change la version de chaque périmètre public (annuaire, projetothèque) : aucune page ni réponse d'API "
        "mise en cache avant n'est plus servie. À lancer après une restauration ou une correction faite directement "
        "en base."
    )

    def handle(self, *args, **options):
        versions.bump_all()
        for scope in versions.SCOPES:
            self.stdout.write(f"{scope} : version {versions.current(scope)}")
