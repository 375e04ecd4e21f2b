"""Instruction: eligibility checks (national and regional), information requests, closing the call."""

import pytest
from django.core.exceptions import ValidationError

from tpj.calls.models import Application, Call
from tpj.calls.services.calls import fire_call
from tpj.calls.services.checks import eligibility_checks
from tpj.calls.services.instruction import answer_information, declare_eligible, declare_ineligible, request_information
from tpj.nomenclatures.models import Axis

from .factories import close, make_call, submitted_application

pytestmark = pytest.mark.django_db


def test_eligibility_checks_national_and_regional():
    call = make_call(state=Call.State.DRAFT)
    call.required_axis = Axis.objects.get(number=6)
    call.targeting_mode = Call.TargetingMode.REQUIRED
    call.targeting_kinds = ["qpv"]
    call.save()
    call = fire_call(call, call.manager if hasattr(call, "manager") else call.created_by, "publish")
    call.manager = call.created_by
    app = submitted_application(call, call_axes=[call.axes.get(position=1)])
    checks = {c.label: c.ok for c in eligibility_checks(app)}
    assert checks["Rattachement à au moins un des 6 axes nationaux"]
    assert checks["Tous les lieux d'action sont en Bretagne"]
    assert not checks[f"Axe exigé : {call.required_axis}"]
    assert not checks["Ciblage géographique exigé"]
    with pytest.raises(ValidationError, match="contrôles de recevabilité"):
        declare_eligible(app, call.manager)
    app = declare_ineligible(app, call.manager, "Le projet ne traite pas de la place du père (axe 6), prérequis de l'appel.")
    assert app.state == Application.State.INELIGIBLE and "place du père" in app.decision_reason


def test_information_request_answered_in_the_platform():
    call = make_call()
    app = submitted_application(call)
    request_information(app, call.manager, "Merci de joindre la lettre de soutien de la PMI.")
    app.refresh_from_db()
    assert app.state == Application.State.INFO_REQUESTED
    answer_information(app, app.created_by, "Lettre jointe.")
    app.refresh_from_db()
    request = app.information_requests.get()
    assert app.state == Application.State.SUBMITTED and request.answer == "Lettre jointe." and request.answered_at


def test_closing_the_call_keeps_submitted_applications():
    call = make_call()
    app = submitted_application(call)
    close(call)
    app = declare_eligible(app, call.manager)
    assert app.state == Application.State.ELIGIBLE
