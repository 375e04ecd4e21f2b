"""Export jobs: a file a user asked for, built by a worker and kept for a few days.

The row is the record of the work: the task only says "build job N"; it claims the row with a
lease (`claimed_until`, `claim_token`) before building, so a task queued twice builds once and
a worker killed mid-build leaves a lease that expires (`services.recover_stalled`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from tpj.core import leases


def size_label(size: int) -> str:
    """A file size in French units: « 850 o », « 3,2 ko », « 12,4 Mo », « 1,1 Go »."""
    value, unit = float(size), "o"
    for unit in ("o", "ko", "Mo", "Go"):  # the last unit reached is the one shown
        if value < 1024 or unit == "Go":
            break
        value /= 1024
    return f"{int(value)} o" if unit == "o" else f"{value:.1f}".replace(".", ",") + f" {unit}"


def export_path(instance, filename):
    return f"exports/{instance.pk}/{filename}"


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The jobs `user` may follow and download: their own; every job for administrators."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        return self.filter(requested_by=user)

    def open_data(self):
        """The jobs of the regularly regenerated open-data files (asked for by nobody)."""
        return self.filter(requested_by__isnull=True)

    def public(self, kind: str):
        """The regularly regenerated open-data files of `kind`, newest first."""
        return self.open_data().filter(kind=kind, status=ExportJob.Status.READY).order_by("-finished_at", "-pk")

    def stalled(self, now, requeue_after):
        """Jobs waiting that the queue may have lost, and builds whose worker stopped renewing its lease."""
        waiting = Q(status=ExportJob.Status.QUEUED, last_queued_at__lt=now - requeue_after)
        interrupted = Q(status=ExportJob.Status.RUNNING) & leases.free(now)
        return self.filter(waiting | interrupted)


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "En attente"
        RUNNING = "running", "En préparation"
        READY = "ready", "Prêt"
        FAILED = "failed", "En échec"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        help_text="Vide pour les fichiers de données ouvertes régénérés régulièrement.",
    )
    kind = models.CharField("type d'export", max_length=64)
    title = models.CharField("fichier", max_length=255)
    parameters = models.JSONField("paramètres", default=dict, blank=True)
    scope = models.JSONField("périmètre du demandeur à la demande", default=dict, blank=True)
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    claimed_until = models.DateTimeField("réservé jusqu'au", null=True, blank=True)
    claim_token = models.UUIDField("jeton de réservation", null=True, blank=True, editable=False)
    last_queued_at = models.DateTimeField("mis en file le", null=True, blank=True)
    total_rows = models.PositiveIntegerField("lignes attendues", null=True, blank=True)
    rows_written = models.PositiveIntegerField("lignes écrites", default=0)
    file = models.FileField("fichier", upload_to=export_path, max_length=255, blank=True)
    filename = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField("type de contenu", max_length=100)
    format_label = models.CharField("format", max_length=20)
    size = models.PositiveBigIntegerField("taille (octets)", null=True, blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    error = models.TextField("motif de l'échec", blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    expires_at = models.DateTimeField("disponible jusqu'au", null=True, blank=True, db_index=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "fichier préparé"
        verbose_name_plural = "fichiers préparés"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"]), models.Index(fields=["kind", "status"])]

    def __str__(self):
        return self.title

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.file)

    @property
    def progress_percent(self) -> int:
        """How far the build is (0–100); 99 at most until the file is stored."""
        if self.status == self.Status.READY:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.rows_written * 100 // self.total_rows)

    @property
    def size_label(self) -> str:
        return size_label(self.size or 0)
