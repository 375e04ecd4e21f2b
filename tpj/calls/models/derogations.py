"""National derogations to the minimum endowment of a call's laureates.

A call's laureates must be endowed with at least the campaign's minimum (`Campaign.minimum_for`):
when the applications cannot reach it, the call's managers ask the national team for a
derogation, with their reason; the national team grants it (with the endowment it accepts
instead, and its reason) or refuses it (with its reason). It may also grant one unasked.
A call has at most one derogation asked or granted at a time; a refused one may be asked again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .calls import Call
from .common import money_field


class MinimumDerogation(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", "Demandée"
        GRANTED = "granted", "Accordée"
        REFUSED = "refused", "Refusée"

    call = models.ForeignKey(Call, verbose_name="appel à projets", on_delete=models.PROTECT, related_name="derogations")
    state = models.CharField("état", max_length=10, choices=State.choices, default=State.REQUESTED)
    # The figures when it was asked (or granted unasked): what the national team decided on.
    minimum = money_field("minimum national (€)")
    endowment = money_field("dotation des lauréats à la demande (€)")
    accepted = money_field("dotation minimale acceptée (€)")
    request_reason = models.TextField("motif de la demande", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandée par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    decision_reason = models.TextField("motif de la décision", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="décidée par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    class Meta:
        verbose_name = "dérogation au minimum national"
        verbose_name_plural = "dérogations au minimum national"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call"],
                condition=Q(state__in=["requested", "granted"]),
                name="one_open_derogation_per_call",
                violation_error_message="Une dérogation est déjà demandée ou accordée pour cet appel.",
            ),
            models.CheckConstraint(name="derogation_accepted_positive", condition=Q(accepted__gte=0)),
        ]

    def __str__(self):
        return f"Dérogation au minimum national — {self.call}"
