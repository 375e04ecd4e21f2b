"""Decision letters as issued: drawn once by a worker, stored, never redrawn (tpj.calls.services.letters)."""

from django.conf import settings
from django.db import models

from .applications import Application


def letter_path(instance, filename):
    return f"calls/letters/{instance.application_id}/{filename}"


class DecisionLetter(models.Model):
    """The letter announcing one decision on an application.

    Requested when the manager notifies the decisions, drawn by a worker, then issued: its
    PDF is stored in the default storage with its SHA-256 (also written in the audit log),
    and the e-mail to the applicant attaches that very file. An issued letter is immutable;
    a decision reopened and taken again gets a new letter (one per decision, `decided_at`).
    """

    class State(models.TextChoices):
        REQUESTED = "requested", "En préparation"
        DRAWING = "drawing", "En cours de rédaction"
        ISSUED = "issued", "Émis"
        FAILED = "failed", "Échec de préparation"
        CANCELLED = "cancelled", "Annulé (décision rouverte)"

    application = models.ForeignKey(
        Application, verbose_name="candidature", on_delete=models.PROTECT, related_name="decision_letters"
    )
    decided_at = models.DateTimeField("décision du")
    state = models.CharField("état", max_length=16, choices=State.choices, default=State.REQUESTED, db_index=True)
    file = models.FileField("courrier", upload_to=letter_path, max_length=255, blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    issued_at = models.DateTimeField("émis le", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandé par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)
    # A lease, as for the outbox: requested — its queued task is presumed lost after it;
    # drawing — its worker is presumed dead after it.
    claimed_until = models.DateTimeField("réservé jusqu'au", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    message = models.ForeignKey(
        "outbox.OutgoingEmail", verbose_name="courriel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "courrier de décision"
        verbose_name_plural = "courriers de décision"
        ordering = ["-requested_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["application", "decided_at"], name="one_letter_per_decision")]

    def __str__(self):
        return f"Courrier de décision {self.application.reference}"
