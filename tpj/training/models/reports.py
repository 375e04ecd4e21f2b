"""What a session delivered (issue 20, journey 5): the organisation reports, after the session,
the participants by audience and département and the hours delivered. The steering's coverage
counts the professionals trained from these reports."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from .offers import Audience, Session


class SessionReport(models.Model):
    session = models.OneToOneField(Session, verbose_name="session", on_delete=models.CASCADE, related_name="report")
    hours_delivered = models.DecimalField(
        "heures dispensées",
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0, message="Les heures dispensées ne peuvent pas être négatives.")],
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="déclaré par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("déclaré le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "bilan de session"
        verbose_name_plural = "bilans de session"
        constraints = [models.CheckConstraint(name="training_report_hours_positive", condition=models.Q(hours_delivered__gte=0))]

    def __str__(self):
        return f"Bilan — {self.session}"


class ReportLine(models.Model):
    """Participants of one audience from one département."""

    report = models.ForeignKey(SessionReport, verbose_name="bilan", on_delete=models.CASCADE, related_name="lines")
    audience = models.CharField("public", max_length=20, choices=Audience.choices)
    departement = models.ForeignKey(
        "territories.Departement", verbose_name="département", on_delete=models.PROTECT, related_name="+"
    )
    participants = models.PositiveIntegerField("participants")

    class Meta:
        verbose_name = "participants d'un bilan"
        verbose_name_plural = "participants des bilans"
        constraints = [
            models.UniqueConstraint(fields=["report", "audience", "departement"], name="training_report_line_once"),
        ]

    def __str__(self):
        return f"{self.participants} — {self.get_audience_display()} ({self.departement_id})"
