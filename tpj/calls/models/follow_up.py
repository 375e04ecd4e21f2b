"""Follow-up of a laureate project: indicator values measured, payments made, reports due and received."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .applications import Application, EnvelopeRequest, Indicator
from .common import money_field


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    measured_on = models.DateField("mesuré le")
    value = models.CharField("valeur", max_length=100)
    comment = models.CharField("commentaire", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "valeur d'indicateur"
        ordering = ["measured_on", "id"]


class Payment(models.Model):
    request = models.ForeignKey(EnvelopeRequest, verbose_name="enveloppe", on_delete=models.PROTECT, related_name="payments")
    amount = money_field("montant versé (€)")
    paid_on = models.DateField("versé le")
    label = models.CharField("libellé", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "versement"
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(name="payment_positive", condition=Q(amount__gt=0))]


class ReportKind(models.TextChoices):
    INTERIM = "interim", "Rapport intermédiaire"
    FINAL = "final", "Rapport final"


class ReportingPlan(models.Model):
    """When a call's laureates report, by default: the interim report `interim_months` after
    the project's start, the final report at its end (each laureate's dates may be moved)."""

    DEFAULT_INTERIM_MONTHS = 6

    call = models.OneToOneField("calls.Call", on_delete=models.CASCADE, related_name="reporting_plan")
    interim_months = models.PositiveSmallIntegerField(
        "rapport intermédiaire, en mois après le démarrage du projet", default=DEFAULT_INTERIM_MONTHS
    )

    class Meta:
        verbose_name = "calendrier des rapports"
        constraints = [
            models.CheckConstraint(name="interim_months_range", condition=Q(interim_months__gte=1, interim_months__lte=36)),
        ]


class Report(models.Model):
    """A laureate's report: its due date when a manager moved it from the call's default, and
    its receipt (the file the carrier sent, or the date a manager recorded it)."""

    Kind = ReportKind

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField("rapport", max_length=10, choices=ReportKind.choices)
    due_on = models.DateField("attendu le", null=True, blank=True)
    received_on = models.DateField("reçu le", null=True, blank=True)
    file = models.FileField("fichier", upload_to="calls/reports/", blank=True)
    comment = models.CharField("commentaire", max_length=500, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "rapport de suivi"
        verbose_name_plural = "rapports de suivi"
        ordering = ["application_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="one_report_per_kind")]
