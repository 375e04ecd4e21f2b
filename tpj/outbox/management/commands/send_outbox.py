"""Send the outbox's messages still to be sent, and the failed ones that have attempts left."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tpj.core.text import french_plural
from tpj.outbox import services
from tpj.outbox.models import OutgoingEmail


class Command(BaseCommand):
    help = (
        "Envoie les courriels en attente de l'outbox, et ceux en échec qui n'ont pas épuisé leurs "
        "tentatives (OUTBOX_MAX_ATTEMPTS) ; --retry-failed renvoie tous les courriels en échec."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Renvoyer aussi les courriels en échec qui ont épuisé leurs tentatives (après réparation du serveur d'envoi).",
        )
        parser.add_argument("--limit", type=int, default=None, help="Nombre maximal de courriels traités.")

    def handle(self, *args, retry_failed=False, limit=None, **options):
        ids = list(services.due(retry_failed=retry_failed).values_list("pk", flat=True)[:limit])
        sent = failed = 0
        for pk in ids:
            message = services.send(pk)
            if message is None:  # sent meanwhile, or being sent by another process
                continue
            if message.status == OutgoingEmail.Status.SENT:
                sent += 1
            else:
                failed += 1
        self.stdout.write(f"{_count(sent, 'courriel envoyé', 'courriels envoyés')}.")
        exhausted = OutgoingEmail.objects.failed().filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).count()
        if exhausted and not retry_failed:
            self.stdout.write(
                f"{_count(exhausted, 'courriel en échec a épuisé ses tentatives', 'courriels en échec ont épuisé leurs tentatives')} : "
                "corrigez la cause, puis lancez send_outbox --retry-failed."
            )
        if failed:
            # A non-zero exit, so that cron or the scheduler reports it.
            raise CommandError(
                f"{_count(failed, 'courriel en échec', 'courriels en échec')} : voir l'administration, Courriels sortants."
            )


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {french_plural(n, singular, plural)}"
