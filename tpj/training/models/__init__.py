from .offers import Audience, Format, FundingRoute, Offer, OfferAudience, OfferFundingRoute, OfferState, Session
from .organisations import TrainingOrganisation
from .plans import PlanItem, TrainingPlan
from .reports import ReportLine, SessionReport

__all__ = [
    "Audience",
    "Format",
    "FundingRoute",
    "Offer",
    "OfferAudience",
    "OfferFundingRoute",
    "OfferState",
    "PlanItem",
    "ReportLine",
    "Session",
    "SessionReport",
    "TrainingOrganisation",
    "TrainingPlan",
]
