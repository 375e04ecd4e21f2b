"""Follow-up of the laureate projects: convention, payments, start, indicator values, final
evaluation, and the reports each laureate owes (interim and final, due on dates: the call's
default, `ReportingPlan`, or the one a manager set; reminded by `reminders.remind_reports`)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.text import clean, french_plural

from ..models import (
    ZERO,
    Application,
    Call,
    EnvelopeRequest,
    Indicator,
    IndicatorValue,
    Payment,
    Report,
    ReportingPlan,
    ReportKind,
    euros,
)
from .applications import fresh_application
from .files import attachment_file_name, validate_attachment


def record_convention(app: Application, user, signed_on: datetime.date) -> Application:
    with transaction.atomic():
        app = fresh_application(app, lock=True)  # a decision reopened at the same time waits, or has happened
        policy.require(user, "calls.manage_follow_up", app)
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
        policy.require(user, "calls.manage_follow_up", app)
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


# -- reports ---------------------------------------------------------------------------------


class ReportStatus:
    RECEIVED = "received"
    RECEIVED_LATE = "received_late"
    MISSING = "missing"
    UPCOMING = "upcoming"
    UNDATED = "undated"

    LABELS = {
        RECEIVED: "Reçu",
        RECEIVED_LATE: "Reçu en retard",
        MISSING: "Manquant",
        UPCOMING: "À venir",
        UNDATED: "Échéance à fixer",
    }
    BADGES = {RECEIVED: "success", RECEIVED_LATE: "warning", MISSING: "error", UPCOMING: "info", UNDATED: ""}


@dataclass
class ReportDue:
    """A report a laureate owes: its due date (the one a manager set, else the call's default)
    and its receipt."""

    application: Application
    kind: str
    due_on: datetime.date | None
    report: Report | None
    today: datetime.date

    @property
    def kind_label(self) -> str:
        return ReportKind(self.kind).label

    @property
    def received_on(self) -> datetime.date | None:
        return self.report.received_on if self.report else None

    @property
    def status(self) -> str:
        if self.received_on:
            late = self.due_on is not None and self.received_on > self.due_on
            return ReportStatus.RECEIVED_LATE if late else ReportStatus.RECEIVED
        if self.due_on is None:
            return ReportStatus.UNDATED
        return ReportStatus.MISSING if self.due_on < self.today else ReportStatus.UPCOMING

    @property
    def status_label(self) -> str:
        return ReportStatus.LABELS[self.status]

    @property
    def badge(self) -> str:
        return ReportStatus.BADGES[self.status]


def interim_months(call: Call) -> int:
    plan = ReportingPlan.objects.filter(call=call).first()
    return plan.interim_months if plan else ReportingPlan.DEFAULT_INTERIM_MONTHS


def default_due_on(app: Application, kind: str, months: int) -> datetime.date | None:
    """The call's default: the interim report `months` after the project's start (its recorded
    start, else its planned one), the final report at its planned end."""
    if kind == ReportKind.FINAL:
        return app.end_date
    start = app.project_started_on or app.start_date
    return start + relativedelta(months=months) if start else None


def report_dues(call: Call, today: datetime.date | None = None, applications=None) -> list[ReportDue]:
    """Every report the call's laureates owe, in the order of their references (three queries)."""
    today = today or timezone.localdate()
    months = interim_months(call)
    laureates = applications if applications is not None else call.applications.filter(state=Application.State.LAUREATE)
    laureates = list(laureates.select_related("organisation").order_by("reference"))
    reports = {(r.application_id, r.kind): r for r in Report.objects.filter(application__in=laureates)}
    dues = []
    for app in laureates:
        for kind in ReportKind.values:
            report = reports.get((app.pk, kind))
            due_on = report.due_on if report and report.due_on else default_due_on(app, kind, months)
            dues.append(ReportDue(app, kind, due_on, report, today))
    return dues


def report_counts(dues: list[ReportDue]) -> str:
    """« 3 rapports reçus, dont 1 en retard ; 2 manquants ; 4 à venir » (the parts that are not zero)."""
    n = {status: sum(1 for d in dues if d.status == status) for status in ReportStatus.LABELS}
    received = n[ReportStatus.RECEIVED] + n[ReportStatus.RECEIVED_LATE]
    parts = []
    if received:
        part = f"{received} rapport{french_plural(received)} reçu{french_plural(received)}"
        if late := n[ReportStatus.RECEIVED_LATE]:
            part += f", dont {late} en retard"
        parts.append(part)
    if missing := n[ReportStatus.MISSING]:
        parts.append(f"{missing} manquant{french_plural(missing)}")
    if upcoming := n[ReportStatus.UPCOMING]:
        parts.append(f"{upcoming} à venir")
    if undated := n[ReportStatus.UNDATED]:
        parts.append(f"{undated} sans échéance")
    return " ; ".join(parts) if parts else "Aucun rapport attendu."


def set_interim_months(call: Call, user, months: int) -> ReportingPlan:
    """The call's default for its laureates' interim reports (1 to 36 months after their start)."""
    policy.require(user, "calls.manage_call", call)
    if not 1 <= months <= 36:
        raise ValidationError({"interim_months": "Indiquez un nombre de mois entre 1 et 36."})
    with transaction.atomic():
        plan, _ = ReportingPlan.objects.update_or_create(call=call, defaults={"interim_months": months})
        record(actor=user, obj=call, action="calls.report.plan", after={"interim_months": months})
    return plan


def _report(app: Application, kind: str) -> Report:
    if kind not in ReportKind.values:
        raise ValidationError("Rapport inconnu.")
    report, _ = Report.objects.select_for_update().get_or_create(application=app, kind=kind)
    return report


def set_report_due(app: Application, user, kind: str, due_on: datetime.date) -> Report:
    """Move one laureate's report to `due_on` (instead of the call's default)."""
    with transaction.atomic():
        app = fresh_application(app, lock=True)
        policy.require(user, "calls.manage_follow_up", app)
        if app.state != Application.State.LAUREATE:
            raise ValidationError("Seul un projet lauréat remet des rapports de suivi.")
        report = _report(app, kind)
        report.due_on = due_on
        report.save(update_fields=["due_on"])
        record(actor=user, obj=app, action="calls.report.due", after={"kind": kind, "due_on": due_on.isoformat()})
    return report


def submit_report(app: Application, user, kind: str, upload, comment: str = "") -> Report:
    """The carrier sends its report (a PDF, or an image); a manager may send it for them. The day
    it arrives is its receipt date; a report received is not replaced."""
    policy.require(user, "calls.follow_up", fresh_application(app))  # who before what
    if upload is None:
        raise ValidationError({"file": "Joignez le rapport (PDF, PNG ou JPEG)."})
    content_type = validate_attachment(upload)
    with transaction.atomic():
        app = fresh_application(app, lock=True)
        policy.require(user, "calls.follow_up", app)
        report = _report(app, kind)
        if report.received_on:
            raise ValidationError(f"Le {report.get_kind_display().lower()} a déjà été reçu le {report.received_on:%d/%m/%Y}.")
        upload.name = attachment_file_name(content_type)
        report.file, report.comment = upload, clean(comment or "", multiline=False)[:500]
        report.received_on, report.received_by = timezone.localdate(), user
        report.save()
        record(actor=user, obj=app, action="calls.report.received", after={"kind": kind})
    return report


def record_report_received(app: Application, user, kind: str, received_on: datetime.date) -> Report:
    """A manager records a report received by other means (post, e-mail), on `received_on`."""
    with transaction.atomic():
        app = fresh_application(app, lock=True)
        policy.require(user, "calls.manage_follow_up", app)
        if app.state != Application.State.LAUREATE:
            raise ValidationError("Seul un projet lauréat remet des rapports de suivi.")
        if received_on > timezone.localdate():
            raise ValidationError("La date de réception ne peut pas être dans le futur.")
        report = _report(app, kind)
        if report.received_on:
            raise ValidationError(f"Le {report.get_kind_display().lower()} a déjà été reçu le {report.received_on:%d/%m/%Y}.")
        report.received_on, report.received_by = received_on, user
        report.save(update_fields=["received_on", "received_by"])
        record(actor=user, obj=app, action="calls.report.received", after={"kind": kind, "received_on": received_on.isoformat()})
    return report
