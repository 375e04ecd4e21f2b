"""Applications: drafts, bad input, submission at the deadline, withdrawal."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tpj.calls.models import Application, Call
from tpj.calls.services.applications import create_application, submit_application, withdraw_application
from tpj.nomenclatures.models import FundingSource
from tpj.territories.models import Commune

from .factories import applicant, content, make_call, submitted_application

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
    # The applicant's receipt (the call's managers are notified of the submission by their own e-mail).
    (receipt,) = [m for m in mailoutbox if m.to == [user.email]]
    assert app.reference in receipt.subject and "Accusé de réception" in receipt.subject


def test_an_ars_call_and_a_dreets_call_of_one_region_and_year_number_their_dossiers_apart():
    ars = make_call(strand="ars")
    dreets = make_call(strand="dreets", campaign=ars.campaign)
    year = ars.campaign.year
    assert submitted_application(ars).reference == f"AAP{year}-53-ARS-0001"
    assert submitted_application(dreets).reference == f"AAP{year}-53-DREETS-0001"
    assert submitted_application(ars).reference == f"AAP{year}-53-ARS-0002"


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
