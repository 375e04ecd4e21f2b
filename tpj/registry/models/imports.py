"""CSV import jobs: the record of an import that the workers run (`importer.jobs`)."""

from django.conf import settings
from django.db import models


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The jobs `user` may see (import page, progress page, report, admin): their own;
        administrators, all. Not a colleague's, even in the same territory: a job's report
        lists every row of its author's file, refused ones included, whatever their territory.
        Every view of a job looks it up here (404 otherwise)."""
        if not user.is_authenticated:
            return self.none()
        return self if user.is_administrator else self.filter(created_by=user)


class ImportJob(models.Model):
    """A CSV import of a network's entries, run by a worker chunk by chunk.

    Resumable: `next_row` moves in the transaction that writes each chunk's entries.
    Claimed: the worker running it holds `claim_token` until `claimed_until`, a lease
    renewed with each chunk; a job whose lease expired (its worker was killed) is queued
    again by `recover_imports`. Idempotent: rows whose external id is known are skipped."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échec"

    source = models.CharField("source (réseau)", max_length=100)
    file = models.FileField("fichier CSV", upload_to="registry/imports/")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    encoding = models.CharField(max_length=20, default="utf-8-sig")
    total_rows = models.IntegerField(default=0)
    next_row = models.IntegerField("prochaine ligne à traiter", default=0)
    created_count = models.IntegerField(default=0)
    updated_count = models.IntegerField(default=0)
    error_count = models.IntegerField(default=0)
    errors = models.JSONField("erreurs par ligne", default=list, blank=True)
    message = models.TextField(blank=True)
    chunk_size = models.PositiveIntegerField("lignes par transaction", default=20_000)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField("réservé jusqu'à", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("reprises sans avancée", default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "import CSV"
        verbose_name_plural = "imports CSV"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "claimed_until"], name="registry_importjob_waiting")]

    def __str__(self):
        return f"Import {self.source} du {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress_percent(self) -> int:
        return 100 if not self.total_rows else min(100, round(100 * self.next_row / self.total_rows))
