"""Module 2 — regional calls for projects ("appels à projets 1000 premiers jours").

One module per lifecycle stage; every model is re-exported here (Django loads them from
`tpj.calls.models`, and callers import them from it).
"""

from .applications import (
    Application,
    ApplicationQuerySet,
    Attachment,
    BudgetLine,
    CoFinancing,
    EnvelopeRequest,
    Indicator,
    InformationRequest,
    Partner,
)
from .calls import Call, CallAxis, CallQuerySet, Criterion, Envelope, Targeting
from .campaigns import Campaign, IntentDeclaration
from .common import (
    AGENCY_OF_KIND,
    NNBSP,
    ZERO,
    Agency,
    ApplicationState,
    CallState,
    Strand,
    agency_of,
    euros,
    money_field,
)
from .follow_up import IndicatorValue, Payment
from .jury import CriterionScore, JuryMember, ScoreSheet, ScoreSheetQuerySet
from .letters import DecisionLetter

__all__ = [
    "AGENCY_OF_KIND",
    "NNBSP",
    "ZERO",
    "Agency",
    "Application",
    "ApplicationQuerySet",
    "ApplicationState",
    "Attachment",
    "BudgetLine",
    "Call",
    "CallAxis",
    "CallQuerySet",
    "CallState",
    "CoFinancing",
    "Campaign",
    "Criterion",
    "CriterionScore",
    "DecisionLetter",
    "Envelope",
    "EnvelopeRequest",
    "Indicator",
    "IndicatorValue",
    "InformationRequest",
    "IntentDeclaration",
    "JuryMember",
    "Partner",
    "Payment",
    "ScoreSheet",
    "ScoreSheetQuerySet",
    "Strand",
    "Targeting",
    "agency_of",
    "euros",
    "money_field",
]
