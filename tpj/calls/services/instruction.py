"""Instruction of the applications: eligibility checks, checklist, information requests, admissibility."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from tpj.accounts.models import validate_siret
from tpj.audit.services import record
from tpj.core import policy

from ..models import (
    Application,
    Call,
    InformationRequest,
    Targeting,
)
from ..workflows import APPLICATION_WORKFLOW
from . import mail
from .applications import fresh_application, submit_application, withdraw_application


@dataclass
class Check:
    label: str
    ok: bool
    detail: str = ""
    level: str = "national"


def eligibility_checks(app: Application) -> list[Check]:
    """Automatic eligibility: the national constraints, then the call's own."""
    call = app.call
    places = list(app.places.all())
    national_axes = app.national_axis_ids()
    outside = [p for p in places if p.region_id != call.region_id]
    siret_ok = True
    try:
        validate_siret(app.carrier_siret)
    except ValidationError:
        siret_ok = False
    checks = [
        Check("Rattachement à au moins un des 6 axes nationaux", bool(national_axes)),
        Check(
            f"Tous les lieux d'action sont en {call.region.name}",
            bool(places) and not outside,
            ", ".join(f"{p.name} hors région" for p in outside) or ("aucun lieu d'action" if not places else ""),
        ),
        Check(
            "Porteur doté d'un SIRET valide (convention de subvention possible)", siret_ok, app.carrier_siret or "SIRET absent"
        ),
    ]
    if call.required_axis_id:
        checks.append(Check(f"Axe exigé : {call.required_axis}", call.required_axis_id in national_axes, level="regional"))
    if call.targeting_mode == Call.TargetingMode.REQUIRED:
        checks.append(
            Check(
                "Ciblage géographique exigé", meets_targeting(app, places), ", ".join(call.targeting_labels()), level="regional"
            )
        )
    return checks


def meets_targeting(app: Application, places=None) -> bool:
    call = app.call
    places = places if places is not None else list(app.places.all())
    kinds = set(call.targeting_kinds)
    if kinds & set(app.targeting_kinds) - {Targeting.PLACES}:
        return True
    if Targeting.PLACES in kinds:
        communes = set(call.target_communes.values_list("insee_code", flat=True))
        departements = set(call.target_departements.values_list("code", flat=True))
        return any(p.insee_code in communes or p.departement_id in departements for p in places)
    return False


def set_checklist(app: Application, user, ticked: list[str]) -> Application:
    app = fresh_application(app)
    policy.require(user, "calls.instruct", app)
    app.checklist = {item: item in ticked for item in app.call.checklist_items()}
    app.save(update_fields=["checklist", "updated_at"])
    record(actor=user, obj=app, action="calls.application.checklist", after=app.checklist)
    return app


def request_information(app: Application, user, question: str) -> InformationRequest:
    APPLICATION_WORKFLOW.check(app, "request_info", user)  # who and when before what
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": "Rédigez la demande de complément."})
    asked = {}

    def on_fire(locked: Application):
        asked["request"] = InformationRequest.objects.create(application=locked, question=question, asked_by=user)

    app = APPLICATION_WORKFLOW.fire(app, "request_info", user, question, on_fire=on_fire)
    request = asked["request"]
    mail.send(
        app.created_by.email,
        f"Demande de complément — {app.reference}",
        f"Le service instructeur demande un complément pour « {app.title} » :\n\n{question}\n\nRépondez sur la plateforme.",
    )
    return request


def answer_information(app: Application, user, answer: str) -> InformationRequest:
    APPLICATION_WORKFLOW.check(app, "answer_info", user)  # who and when before what
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Rédigez votre réponse."})
    answered = {}

    def on_fire(locked: Application):
        request = locked.information_requests.filter(answered_at__isnull=True).last()
        if request is None:
            raise ValidationError("Aucune demande de complément n'attend de réponse.")
        request.answer, request.answered_by, request.answered_at = answer, user, timezone.now()
        request.save()
        answered["request"] = request

    APPLICATION_WORKFLOW.fire(app, "answer_info", user, answer, on_fire=on_fire)
    return answered["request"]


def declare_eligible(app: Application, user) -> Application:
    APPLICATION_WORKFLOW.check(app, "declare_eligible", user)  # who and when before what
    failed = [c.label for c in eligibility_checks(app) if not c.ok]
    if failed:
        raise ValidationError(["La candidature ne satisfait pas les contrôles de recevabilité :", *failed])
    return APPLICATION_WORKFLOW.fire(app, "declare_eligible", user)


def declare_ineligible(app: Application, user, reason: str) -> Application:
    def on_fire(locked):
        locked.decision_reason = reason.strip()
        locked.decided_at = timezone.now()

    return APPLICATION_WORKFLOW.fire(app, "declare_ineligible", user, reason, on_fire=on_fire)


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
