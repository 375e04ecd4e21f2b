"""CSV import jobs (run by `importer`)."""

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
    """A CSV import of a network's entries: resumable (next_row) and idempotent (external ids)."""

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

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "import CSV"
        verbose_name_plural = "imports CSV"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Import {self.source} du {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def progress_percent(self) -> int:
        return 100 if not self.total_rows else min(100, round(100 * self.next_row / self.total_rows))
