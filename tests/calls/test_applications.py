"""Applications: drafts, bad input, submission at the deadline, instruction."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tpj.calls.models import Application, Call
from tpj.calls.services.applications import create_application, submit_application, withdraw_application
from tpj.calls.services.calls import fire_call
from tpj.calls.services.checks import eligibility_checks
from tpj.calls.services.instruction import answer_information, declare_eligible, declare_ineligible, request_information
from tpj.nomenclatures.models import Axis, FundingSource
from tpj.territories.models import Commune

from .factories import applicant, close, content, make_call, submitted_application

pytestmark = pytest.mark.django_db


def test_draft_then_submission_gives_reference_and_receipt(mailoutbox, django_capture_on_commit_callbacks):
    call = make_call()
    user = applicant()
    app, created = create_application(user, call, content(call))
    assert created and app.state == Application.State.DRAFT and app.budget_total == Decimal("150000")
    with django_capture_on_commit_callbacks(execute=True):
        app = submit_application(app, user)
    assert app.state == Application.State.SUBMITTED
    assert app.reference == f"AAP{call.campaign.year}-53-0001"
    assert mailoutbox[-1].to == [user.email] and app.reference in mailoutbox[-1].subject


def test_replayed_creation_gives_exactly_one_application():
    call = make_call()
    user = applicant()
    token = uuid.uuid4()
    first, created = create_application(user, call, content(call), client_token=token)
    again, created_again = create_application(user, call, content(call), client_token=token)
    assert created and not created_again and first.pk == again.pk
    assert Application.objects.filter(call=call).count() == 1


def test_double_submission_is_refused_without_changing_the_receipt():
    call = make_call()
    app = submitted_application(call)
    with pytest.raises(ValidationError, match="état actuel"):
        submit_application(app, app.created_by)
    app.refresh_from_db()
    assert app.reference.endswith("0001")


def test_submission_one_second_after_the_deadline_is_refused():
    call = make_call()
    user = applicant()
    app, _ = create_application(user, call, content(call))
    Call.objects.filter(pk=call.pk).update(applications_deadline=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError, match="date limite de dépôt .* est dépassée"):
        submit_application(app, user)
    app.refresh_from_db()
    assert app.state == Application.State.DRAFT and app.reference == "" and app.submitted_at is None


def test_place_of_action_in_another_region_is_refused():
    call = make_call()
    user = applicant()
    toulouse = Commune.objects.get(insee_code="31555")
    with pytest.raises(ValidationError) as error:
        create_application(user, call, content(call, places=[Commune.objects.get(insee_code="35238"), toulouse]))
    assert "Toulouse (31)" in error.value.message_dict["places"][0]
    assert not Application.objects.exists()


def test_cofinancing_exceeding_the_budget_is_refused():
    call = make_call()
    caf = FundingSource.objects.get(slug="caf-fnp")
    with pytest.raises(ValidationError) as error:
        create_application(applicant(), call, content(call, cofinancings=[{"source": caf, "amount": Decimal("200000")}]))
    assert "dépasse le budget total" in error.value.message_dict["cofinancings"][0]
    assert not Application.objects.exists()


def test_dreets_envelope_line_in_an_ars_only_call_is_refused():
    call = make_call(strand="ars")
    with pytest.raises(ValidationError) as error:
        create_application(applicant(), call, content(call, requests={"ARS": Decimal("10000"), "DREETS": Decimal("10000")}))
    assert "porté par l'ARS seule" in error.value.message_dict["requests"][0]
    assert not Application.objects.exists()


def test_incomplete_application_cannot_be_submitted():
    call = make_call()
    user = applicant()
    app, _ = create_application(user, call, content(call, description="", call_axes=[], indicators=[]))
    with pytest.raises(ValidationError) as error:
        submit_application(app, user)
    assert "Rattachez le projet à au moins un axe." in error.value.messages
    assert "Décrivez le projet." in error.value.messages


def test_withdraw_before_decision_only():
    call = make_call()
    app = submitted_application(call)
    app = withdraw_application(app, app.created_by, "Projet reporté")
    assert app.state == Application.State.WITHDRAWN


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
