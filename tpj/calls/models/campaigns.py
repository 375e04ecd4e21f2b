"""The national campaign (deadlines, dotation, minimum endowments) and the agencies' declarations of intent."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .common import Agency, Strand, money_field


class Campaign(models.Model):
    """A national campaign (one a year): deadlines, dotation and minimum endowments.

    The national team closes it when no new call may start; once the laureate lists are
    transmitted it is marked so. Only an open campaign takes a declaration of intent or a
    new call (services.calls.create_call, under a lock of this row).
    """

    class State(models.TextChoices):
        OPEN = "open", "Ouverte — nouveaux appels possibles"
        CLOSED = "closed", "Close — plus de nouvel appel"
        TRANSMITTED = "transmitted", "Listes des lauréats transmises"

    year = models.PositiveSmallIntegerField("année", unique=True)
    intent_deadline = models.DateField("date limite de déclaration d'intention")
    laureates_deadline = models.DateField("date limite de désignation des lauréats")
    transmission_deadline = models.DateField("date limite de transmission de la liste des lauréats")
    projects_start_deadline = models.DateField("date limite de démarrage des projets")
    national_dotation = money_field("dotation nationale par agence (€)")
    minimum_single = money_field("dotation minimale des lauréats, appel d'une seule agence (€)")
    minimum_joint = money_field("dotation minimale des lauréats, appel commun ARS-DREETS (€)")
    state = models.CharField("état", max_length=12, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "campagne nationale"
        verbose_name_plural = "campagnes nationales"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="campaign_amounts_positive",
                condition=Q(national_dotation__gte=0, minimum_single__gte=0, minimum_joint__gte=0),
            ),
            models.CheckConstraint(name="campaign_state_known", condition=Q(state__in=["open", "closed", "transmitted"])),
        ]

    def __str__(self):
        return f"Campagne {self.year}"

    # What the national team sets for a campaign: its form, its audit record and its admin list.
    SETTINGS_FIELDS = (
        "year",
        "intent_deadline",
        "laureates_deadline",
        "transmission_deadline",
        "projects_start_deadline",
        "national_dotation",
        "minimum_single",
        "minimum_joint",
        "state",
    )

    # The 2021 instruction (SGMCAS/2021/74, annex): 17 May for the declaration of intent,
    # laureates "au plus tard en août", list "début septembre", projects "au plus tard au
    # début de l'automne". Other years take the same days of the year.
    DEFAULTS_2021 = {
        "intent_deadline": (5, 17),
        "laureates_deadline": (8, 31),
        "transmission_deadline": (9, 10),
        "projects_start_deadline": (10, 15),
    }
    DEFAULT_AMOUNTS = {
        "national_dotation": Decimal("100000.00"),
        "minimum_single": Decimal("100000.00"),
        "minimum_joint": Decimal("200000.00"),
    }

    @classmethod
    def defaults_for(cls, year: int) -> dict:
        values = {name: datetime.date(year, m, d) for name, (m, d) in cls.DEFAULTS_2021.items()}
        return {**values, **cls.DEFAULT_AMOUNTS}

    def clean(self):
        order = [self.intent_deadline, self.laureates_deadline, self.transmission_deadline, self.projects_start_deadline]
        if all(order) and order != sorted(order):
            raise ValidationError("Les échéances nationales doivent se suivre : déclaration, lauréats, transmission, démarrage.")
        if self.minimum_joint is not None and self.minimum_single is not None and self.minimum_joint < self.minimum_single:
            raise ValidationError(
                {"minimum_joint": "Le minimum d'un appel commun ne peut être inférieur à celui d'un appel d'une seule agence."}
            )

    @property
    def accepts_calls(self) -> bool:
        return self.state == self.State.OPEN

    def closed_message(self) -> str:
        """Why this campaign takes no new call or declaration (French)."""
        return f"La campagne {self.year} est {'close' if self.state == self.State.CLOSED else 'transmise'} : elle ne reçoit plus de nouvel appel à projets."

    def minimum_for(self, strand: str) -> Decimal:
        return self.minimum_joint if strand == Strand.JOINT else self.minimum_single


class IntentDeclaration(models.Model):
    """An agency's declaration that it will run a call (informs DGCS and SGMCAS)."""

    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.PROTECT, related_name="declarations")
    region = models.ForeignKey("territories.Region", verbose_name="région", on_delete=models.PROTECT, related_name="+")
    # Only the ARS and the DREETS declare an intent (a territorial training call rests on none: models/kinds.py).
    agency = models.CharField("agence", max_length=10, choices=[(a.value, a.label) for a in (Agency.ARS, Agency.DREETS)])
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="agence déclarante", on_delete=models.PROTECT, related_name="+"
    )
    joint = models.BooleanField("appel commun avec l'autre agence de la région", default=False)
    referent_name = models.CharField("référent qui pilote l'appel", max_length=200)
    referent_email = models.EmailField("courriel du référent")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField("déclarée le", default=timezone.now)

    class Meta:
        verbose_name = "déclaration d'intention"
        verbose_name_plural = "déclarations d'intention"
        ordering = ["region__name", "agency"]
        constraints = [models.UniqueConstraint(fields=["campaign", "region", "agency"], name="one_declaration_per_agency")]

    def __str__(self):
        return f"{self.agency} {self.region} — {self.campaign.year}"

    @property
    def is_late(self) -> bool:
        return timezone.localdate(self.declared_at) > self.campaign.intent_deadline
