"""Follow-up of a laureate project: indicator values measured and payments made."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .applications import EnvelopeRequest, Indicator
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
