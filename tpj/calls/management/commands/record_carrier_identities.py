from django.core.management.base import BaseCommand

from tpj.calls.services.carrier import record_missing_identities
from tpj.core.text import french_count, french_plural


class Command(BaseCommand):
    help = (
        "Relève dans le répertoire Sirene l'identité des porteurs des candidatures qui ont un SIRET "
        "sans identité enregistrée (candidatures antérieures à cet enregistrement, ou répertoire "
        "injoignable lors de l'enregistrement). Peut être relancée : les candidatures déjà "
        "complétées ne sont pas relues."
    )

    def handle(self, *args, **options):
        counts = record_missing_identities()
        found, missing, unanswered = counts["found"], counts["not_found"], counts["unanswered"]
        self.stdout.write(
            f"{french_count(found)} identité{french_plural(found)} relevée{french_plural(found)} ; "
            f"{french_count(missing)} SIRET introuvable{french_plural(missing)} dans le répertoire."
        )
        if unanswered:
            self.stderr.write(
                f"Le répertoire Sirene n'a pas répondu pour {french_count(unanswered)} SIRET : "
                "relancez la commande plus tard, ces candidatures seront relues."
            )
