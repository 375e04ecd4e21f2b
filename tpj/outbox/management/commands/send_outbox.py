"""Send the outbox's waiting messages now, in the foreground (the workers do it by themselves;
this is for an operator, e.g. once the mail server is repaired)."""

from django.core.management.base import BaseCommand, CommandError

from tpj.core.text import french_plural
from tpj.outbox import delivery, services
from tpj.outbox.models import OutgoingEmail


class Command(BaseCommand):
    help = (
        "Envoie tout de suite les courriels en attente de l'outbox (sans attendre leur prochaine tentative) ; "
        "--retry-failed renvoie aussi les courriels en échec définitif."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Renvoyer aussi les courriels en échec définitif (après réparation du serveur d'envoi).",
        )
        parser.add_argument("--limit", type=int, default=None, help="Nombre maximal de courriels traités.")

    def handle(self, *args, retry_failed=False, limit=None, **options):
        ids = list(services.due(retry_failed=retry_failed).values_list("pk", flat=True)[:limit])
        if retry_failed:
            OutgoingEmail.objects.filter(pk__in=ids, status=OutgoingEmail.Status.FAILED).update(
                status=OutgoingEmail.Status.PENDING
            )
        sent = failed = waiting = 0
        for pk in ids:
            message = delivery.send(pk, early=True)
            if message is None:  # sent meanwhile, or being sent by a worker
                continue
            if message.status == OutgoingEmail.Status.SENT:
                sent += 1
            elif message.status == OutgoingEmail.Status.FAILED:
                failed += 1
            else:
                waiting += 1
        self.stdout.write(f"{_count(sent, 'courriel envoyé', 'courriels envoyés')}.")
        if waiting:
            self.stdout.write(
                f"{_count(waiting, 'courriel refusé sera retenté', 'courriels refusés seront retentés')} "
                "automatiquement par les workers."
            )
        exhausted = OutgoingEmail.objects.failed().count()
        if exhausted and not retry_failed:
            self.stdout.write(
                f"{_count(exhausted, 'courriel en échec a épuisé ses tentatives', 'courriels en échec ont épuisé leurs tentatives')} : "
                "corrigez la cause, puis lancez send_outbox --retry-failed."
            )
        if failed or waiting:
            # A non-zero exit, so that cron or the scheduler reports it.
            raise CommandError(
                f"{_count(failed + waiting, 'courriel non envoyé', 'courriels non envoyés')} : "
                "voir l'administration, Courriels sortants."
            )


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {french_plural(n, singular, plural)}"
