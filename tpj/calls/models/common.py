"""Shared vocabulary of the calls models: money, agencies, strands and the states of calls and applications.

Money is stored as Decimal euros with two decimals (never float). The state names are
declared here once; `Call.State` and `Application.State` are these classes.
"""

from decimal import Decimal

from django.db import models

ZERO = Decimal("0.00")
NNBSP = "\u202f"  # narrow no-break space, the French thousands separator


def euros(value) -> str:
    """French display of an amount: « 100 000,00 € »."""
    value = Decimal(value or 0).quantize(Decimal("0.01"))
    whole, _, cents = f"{value:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NNBSP.join(groups)},{cents}{NNBSP}€"


def money_field(label, **kwargs):
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=ZERO, **kwargs)


class Agency(models.TextChoices):
    ARS = "ARS", "ARS"
    DREETS = "DREETS", "DREETS"
    # The commissaire's envelope of a territorial training call (CallKind.TERRITORIAL_TRAINING).
    CLP = "CLP", "Commissaire à la prévention et à la lutte contre la pauvreté (CLP)"


AGENCY_OF_KIND = {"ars": Agency.ARS, "dreets": Agency.DREETS}


def agency_of(organisation) -> str | None:
    """The agency (ARS / DREETS) an organisation is, if it is one."""
    return AGENCY_OF_KIND.get(getattr(organisation, "kind", None))


class Strand(models.TextChoices):
    ARS = "ars", "ARS — volet « santé » (FIR)"
    DREETS = "dreets", "DREETS — volet « social » (programme 304 action 17)"
    JOINT = "joint", "Appel commun ARS-DREETS"
    TERRITORIAL = "territorial", "Volet territorial du plan de formation petite enfance (commissaire)"


class CallKind(models.TextChoices):
    """What a call is for; its rules are data, declared once per kind (models/kinds.py)."""

    MILLE_JOURS = "mille_jours", "Appel à projets régional 1000 premiers jours"
    TERRITORIAL_TRAINING = "formation_territoriale", "AAP territorial formation petite enfance"


class CallState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publié — candidatures ouvertes"
    CLOSED = "closed", "Candidatures closes — instruction et jury"
    LAUREATES_DECIDED = "laureates_decided", "Lauréats désignés"
    TRANSMITTED = "transmitted", "Liste des lauréats transmise"


class ApplicationState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposée — en instruction"
    INFO_REQUESTED = "info_requested", "Complément demandé"
    ELIGIBLE = "eligible", "Recevable — soumise au jury"
    INELIGIBLE = "ineligible", "Irrecevable"
    LAUREATE = "laureate", "Lauréat"
    WAITING_LIST = "waiting_list", "Liste d'attente"
    REJECTED = "rejected", "Non retenue"
    WITHDRAWN = "withdrawn", "Retirée"
