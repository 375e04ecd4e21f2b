"""Instruction of the applications: information requests, admissibility (the checklist and the
instruction team: services/instruction_team.py)."""

from django.core.exceptions import ValidationError

from tpj.core import policy

from ..models import (
    Application,
    InformationRequest,
)
from ..workflows import APPLICATION_WORKFLOW
from .applications import submit_application, withdraw_application


def request_information(app: Application, user, question: str) -> InformationRequest:
    """Ask the carrier for more information (the question is mailed to it); returns the request."""
    APPLICATION_WORKFLOW.check(app, "request_info", user)  # who and when before what
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": "Rédigez la demande de complément."})
    APPLICATION_WORKFLOW.fire(app, "request_info", user, question)
    return InformationRequest.objects.filter(application=app).last()


def answer_information(app: Application, user, answer: str) -> InformationRequest:
    """The carrier answers the open information request; returns it."""
    APPLICATION_WORKFLOW.check(app, "answer_info", user)  # who and when before what
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Rédigez votre réponse."})
    APPLICATION_WORKFLOW.fire(app, "answer_info", user, answer)
    return InformationRequest.objects.filter(application=app, answered_at__isnull=False).order_by("answered_at", "pk").last()


def declare_eligible(app: Application, user) -> Application:
    """Admissible: the eligibility checks pass (a guard of the transition); the file goes to the jury."""
    return APPLICATION_WORKFLOW.fire(app, "declare_eligible", user)


def declare_ineligible(app: Application, user, reason: str) -> Application:
    """Inadmissible, with a reason communicated to the carrier."""
    return APPLICATION_WORKFLOW.fire(app, "declare_ineligible", user, reason)


def fire_application(app: Application, user, action: str, reason: str = "") -> Application:
    """The application transitions exposed as API actions, each through its service."""
    handlers = {
        "submit": lambda: submit_application(app, user),
        "withdraw": lambda: withdraw_application(app, user, reason),
        "request_info": lambda: request_information(app, user, reason).application,
        "answer_info": lambda: answer_information(app, user, reason).application,
        "declare_eligible": lambda: declare_eligible(app, user),
        "declare_ineligible": lambda: declare_ineligible(app, user, reason),
    }
    if action not in handlers:
        raise ValidationError(f"Action inconnue : « {action} ».")
    # Someone who may not even see the file must not learn its state from the refusal.
    policy.require(user, "calls.view_application", app)
    return handlers[action]()
