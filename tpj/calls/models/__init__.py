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
    CallKind,
    CallState,
    Strand,
    agency_of,
    euros,
    money_field,
)
from .conventions import Convention, ConventionQuerySet, Instalment, InstalmentPayment
from .derogations import MinimumDerogation
from .follow_up import IndicatorValue, Payment, Report, ReportingPlan, ReportKind
from .instruction import DEFAULT_CHECKLIST, ChecklistItem, ChecklistTick, InstructionAssignment, Instructor
from .jury import CriterionScore, JuryMember, ScoreSheet, ScoreSheetQuerySet
from .letters import DecisionLetter
from .questions import CHOICE_KINDS, ApplicationAnswer, CallQuestion, QuestionKind, RequiredDocument

__all__ = [
    "CHOICE_KINDS",
    "ApplicationAnswer",
    "CallQuestion",
    "QuestionKind",
    "RequiredDocument",
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
    "CallKind",
    "CallQuerySet",
    "CallState",
    "ChecklistItem",
    "ChecklistTick",
    "CoFinancing",
    "Convention",
    "ConventionQuerySet",
    "Campaign",
    "Criterion",
    "DEFAULT_CHECKLIST",
    "CriterionScore",
    "DecisionLetter",
    "Envelope",
    "EnvelopeRequest",
    "Indicator",
    "IndicatorValue",
    "Instalment",
    "InstalmentPayment",
    "InformationRequest",
    "InstructionAssignment",
    "Instructor",
    "IntentDeclaration",
    "JuryMember",
    "MinimumDerogation",
    "Partner",
    "Payment",
    "Report",
    "ReportKind",
    "ReportingPlan",
    "ScoreSheet",
    "ScoreSheetQuerySet",
    "Strand",
    "Targeting",
    "agency_of",
    "euros",
    "money_field",
]
