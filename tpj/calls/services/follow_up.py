"""Follow-up of the laureate projects: convention, payments, start, indicator values, final evaluation."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from tpj.audit.services import record
from tpj.core import policy

from ..models import (
    ZERO,
    Application,
    EnvelopeRequest,
    Indicator,
    IndicatorValue,
    Payment,
    euros,
)
from .applications import fresh_application


def record_convention(app: Application, user, signed_on: datetime.date) -> Application:
    with transaction.atomic():
        app = fresh_application(app, lock=True)  # a decision reopened at the same time waits, or has happened
        policy.require(user, "calls.instruct", app)
        if app.state != Application.State.LAUREATE:
            raise ValidationError("Seul un projet lauréat fait l'objet d'une convention.")
        app.convention_signed_on = signed_on
        app.save(update_fields=["convention_signed_on", "updated_at"])
        record(actor=user, obj=app, action="calls.convention.signed", after={"signed_on": signed_on.isoformat()})
    return app


def record_payment(request: EnvelopeRequest, user, amount: Decimal, paid_on: datetime.date, label: str = "") -> Payment:
    with transaction.atomic():
        # the application's row, then the request's: a decision reopened at the same time (it
        # gives the allocation back) waits, or has happened and the payment is refused
        app = Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=request.application_id)
        policy.require(user, "calls.instruct", app)
        if app.state != Application.State.LAUREATE:
            raise ValidationError("Seul un projet lauréat reçoit des versements.")
        request = EnvelopeRequest.objects.select_for_update().get(pk=request.pk)
        paid = request.payments.aggregate(total=Sum("amount"))["total"] or ZERO
        if amount <= 0:
            raise ValidationError({"amount": "Le montant versé doit être positif."})
        if paid + amount > request.amount_allocated:
            raise ValidationError(
                {
                    "amount": f"Les versements ({euros(paid + amount)}) dépasseraient le montant attribué sur l'enveloppe {request.envelope.agency} ({euros(request.amount_allocated)})."
                }
            )
        payment = Payment.objects.create(request=request, amount=amount, paid_on=paid_on, label=label, recorded_by=user)
        record(
            actor=user,
            obj=app,
            action="calls.payment.recorded",
            after={"agency": request.envelope.agency, "amount": str(amount), "paid_on": paid_on.isoformat()},
        )
    return payment


def record_start(app: Application, user, started_on: datetime.date) -> Application:
    with transaction.atomic():
        app = fresh_application(app, lock=True)
        policy.require(user, "calls.follow_up", app)
        app.project_started_on = started_on
        app.save(update_fields=["project_started_on", "updated_at"])
        record(actor=user, obj=app, action="calls.followup.started", after={"started_on": started_on.isoformat()})
    return app


def add_indicator_value(indicator: Indicator, user, measured_on, value: str, comment: str = "") -> IndicatorValue:
    policy.require(user, "calls.follow_up", fresh_application(indicator.application))
    item = IndicatorValue.objects.create(
        indicator=indicator, measured_on=measured_on, value=value, comment=comment, recorded_by=user
    )
    record(
        actor=user,
        obj=indicator.application,
        action="calls.followup.indicator",
        after={"indicator": indicator.name, "measured_on": measured_on.isoformat(), "value": value},
    )
    return item


def record_evaluation(app: Application, user, evaluation: str, could_become_permanent: bool | None) -> Application:
    policy.require(user, "calls.follow_up", fresh_application(app))  # who before what
    if not evaluation.strip():
        raise ValidationError({"final_evaluation": "Rédigez l'évaluation finale."})
    with transaction.atomic():
        app = fresh_application(app, lock=True)
        policy.require(user, "calls.follow_up", app)
        app.final_evaluation, app.could_become_permanent = evaluation.strip(), could_become_permanent
        app.save(update_fields=["final_evaluation", "could_become_permanent", "updated_at"])
        record(actor=user, obj=app, action="calls.followup.evaluation", after={"could_become_permanent": could_become_permanent})
    return app
