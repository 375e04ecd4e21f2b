"""Conventions de subvention: drawn from a laureate's decision, signed, paid along a schedule.

One convention per decision (`decided_at`, as the decision letters): a decision reopened and
taken again gets a new convention, the old one stays as it was. Its schedule (instalments
as a share of each envelope's allocation) and signature deadline are the manager's until the
PDF is drawn (tpj.calls.services.conventions); the issued PDF is stored with its SHA-256 and
never redrawn; the signed copy is uploaded with its signature date; each payment settles one
instalment on one envelope (`InstalmentPayment`, next to the follow-up's `Payment`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .applications import Application
from .follow_up import Payment


def convention_path(instance, filename):
    return f"calls/conventions/{instance.application_id}/{filename}"


class ConventionQuerySet(models.QuerySet):
    def current(self):
        """The conventions of their application's current decision, the application still a laureate."""
        return self.filter(decided_at=models.F("application__decided_at"), application__state=Application.State.LAUREATE)

    def overdue(self, today):
        """Current conventions issued and still unsigned once their signature deadline has passed."""
        return self.current().filter(state=Convention.State.ISSUED, signature_deadline__lt=today)


class Convention(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "En préparation"
        REQUESTED = "requested", "Rédaction demandée"
        DRAWING = "drawing", "En cours de rédaction"
        ISSUED = "issued", "Émise — en attente de signature"
        SIGNED = "signed", "Signée"
        FAILED = "failed", "Échec de la rédaction"

    EDITABLE_STATES = (State.DRAFT, State.FAILED)

    application = models.ForeignKey(Application, verbose_name="candidature", on_delete=models.PROTECT, related_name="conventions")
    decided_at = models.DateTimeField("décision du")
    state = models.CharField("état", max_length=16, choices=State.choices, default=State.DRAFT, db_index=True)
    signature_deadline = models.DateField("à signer au plus tard le")
    file = models.FileField("convention émise", upload_to=convention_path, max_length=255, blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    issued_at = models.DateTimeField("émise le", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="préparée par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("préparée le", auto_now_add=True)
    # The drawing's lease, as for the decision letters: requested — its queued task is presumed
    # lost after it; drawing — its worker is presumed dead after it.
    claimed_until = models.DateTimeField("réservée jusqu'au", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    message = models.ForeignKey(
        "outbox.OutgoingEmail", verbose_name="courriel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_file = models.FileField("convention signée", upload_to=convention_path, max_length=255, blank=True)
    signed_sha256 = models.CharField("empreinte SHA-256 de la convention signée", max_length=64, blank=True)
    signed_on = models.DateField("signée le", null=True, blank=True)
    signed_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="signature enregistrée par", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = "convention de subvention"
        verbose_name_plural = "conventions de subvention"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "decided_at"], name="one_convention_per_decision"),
            models.CheckConstraint(name="convention_signed_has_date", condition=~Q(state="signed") | Q(signed_on__isnull=False)),
        ]
        indexes = [models.Index(fields=["state", "signature_deadline"], name="convention_deadline_idx")]

    def __str__(self):
        return f"Convention {self.application.reference}"

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


class Instalment(models.Model):
    """One step of the payment schedule: a share of every envelope's allocation."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="instalments")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    label = models.CharField("échéance", max_length=200)
    percent = models.PositiveSmallIntegerField("part de la subvention (%)")
    due_on = models.DateField("versement prévu le", null=True, blank=True)

    class Meta:
        verbose_name = "échéance de versement"
        verbose_name_plural = "échéances de versement"
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(name="instalment_percent_range", condition=Q(percent__gte=1, percent__lte=100))]

    def __str__(self):
        return f"{self.label} ({self.percent} %)"


class InstalmentPayment(models.Model):
    """The instalment a payment (tpj.calls.models.follow_up.Payment) settles."""

    payment = models.OneToOneField(Payment, on_delete=models.CASCADE, related_name="instalment_link")
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="payment_links")

    class Meta:
        verbose_name = "versement d'une échéance"
        verbose_name_plural = "versements des échéances"
