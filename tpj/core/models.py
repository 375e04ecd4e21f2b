"""The platform's own records that belong to no business app."""

from django.db import models

from .public_cache.models import PublicVersion  # noqa: F401  (the model lives with its cache)


class SentReminder(models.Model):
    """One scheduled reminder already written to the outbox, by its key.

    A scheduled job names each reminder it may send with a key saying what it is about and
    for whom ("calls.deadline:2025:intent:53:ARS:14d", "registry.ageing:42:2025-05-12"). The
    unique key is the guarantee that a job re-run the same day, or queued twice by two
    workers' schedulers, sends each reminder once (`tpj.core.reminders.claim`).
    """

    key = models.CharField("clé", max_length=200, unique=True)
    sent_at = models.DateTimeField("envoyé le", auto_now_add=True)

    class Meta:
        verbose_name = "relance envoyée"
        verbose_name_plural = "relances envoyées"
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return self.key
