"""Follow-up of a laureate project: start, indicator values, final evaluation, payments, and the
reports it owes (due dates, receipt, the call's follow-up page, reminders)."""

import datetime
import html
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.responses import close_response
from tpj.audit.models import AuditEvent
from tpj.calls.models import Application, Report
from tpj.calls.services import instruction_team as team
from tpj.calls.services.decisions import decide
from tpj.calls.services.follow_up import (
    add_indicator_value,
    record_evaluation,
    record_payment,
    record_report_received,
    record_start,
    report_counts,
    report_dues,
    set_interim_months,
    set_report_due,
    submit_report,
)
from tpj.calls.services.reminders import remind_reports
from tpj.core.policy import PermissionDenied
from tpj.notifications.models import Notification

from .factories import decidable, decided_call, pdf_upload
from .test_instruction_team import agent

pytestmark = pytest.mark.django_db


def test_follow_up_of_a_laureate():
    call, apps = decidable()
    app = decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000")})
    record_start(app, app.created_by, timezone.localdate())
    indicator = app.indicators.get()
    add_indicator_value(indicator, app.created_by, timezone.localdate(), "35", "Premier trimestre")
    record_evaluation(app, call.manager, "Répond aux enjeux ; pérennisation envisagée.", True)
    app.refresh_from_db()
    assert app.project_started_on and indicator.values.count() == 1 and app.could_become_permanent
    with pytest.raises(PermissionDenied):
        record_start(apps[1], apps[1].created_by, timezone.localdate())


# -- reports ---------------------------------------------------------------------------------


def _laureate():
    call, apps = decided_call()
    return call, apps[0]


def test_reports_due_by_default_from_the_call_then_moved_per_laureate():
    call, app = _laureate()
    dues = {d.kind: d for d in report_dues(call) if d.application == app}
    assert dues["interim"].due_on == app.start_date + relativedelta(months=6)
    assert dues["final"].due_on == app.end_date
    set_interim_months(call, call.manager, 3)
    assert next(d for d in report_dues(call) if d.application == app and d.kind == "interim").due_on == app.start_date + (
        relativedelta(months=3)
    )
    set_report_due(app, call.manager, "final", datetime.date(2031, 1, 15))
    assert next(d for d in report_dues(call) if d.application == app and d.kind == "final").due_on == datetime.date(2031, 1, 15)
    assert AuditEvent.objects.filter(action="calls.report.due", object_id=str(app.pk)).exists()
    with pytest.raises(ValidationError, match="entre 1 et 36"):
        set_interim_months(call, call.manager, 40)


def test_received_late_missing_and_upcoming_counted_in_french():
    call, app = _laureate()
    other = call.applications.filter(state=Application.State.LAUREATE).exclude(pk=app.pk).get()
    today = timezone.localdate()
    set_report_due(app, call.manager, "interim", today - datetime.timedelta(days=30))
    record_report_received(app, call.manager, "interim", today - datetime.timedelta(days=2))  # late
    set_report_due(other, call.manager, "interim", today - datetime.timedelta(days=1))  # missing
    dues = report_dues(call)
    statuses = sorted(d.status_label for d in dues)
    assert statuses == ["Manquant", "Reçu en retard", "À venir", "À venir"]
    assert report_counts(dues) == "1 rapport reçu, dont 1 en retard ; 1 manquant ; 2 à venir"


def test_the_carrier_sends_its_report_once():
    call, app = _laureate()
    report = submit_report(app, app.created_by, "interim", pdf_upload("rapport.pdf"), "Premier semestre")
    assert report.received_on == timezone.localdate() and report.received_by == app.created_by and report.file
    with pytest.raises(ValidationError, match="déjà été reçu"):
        submit_report(app, app.created_by, "interim", pdf_upload("rapport.pdf"))
    with pytest.raises(ValidationError, match="PDF, ni une image"):
        submit_report(app, app.created_by, "final", SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"))
    assert AuditEvent.objects.filter(action="calls.report.received").count() == 1


def test_only_managers_move_due_dates_and_record_payments():
    call, app = _laureate()
    instructor = team.add_instructor(call, call.manager, agent()).user
    for attempt in (
        lambda: set_report_due(app, instructor, "final", datetime.date(2031, 1, 1)),
        lambda: record_payment(app.requests.first(), instructor, Decimal("1000"), timezone.localdate()),
        lambda: set_report_due(app, app.created_by, "final", datetime.date(2031, 1, 1)),
    ):
        with pytest.raises(PermissionDenied, match="Seuls les gestionnaires de l'appel enregistrent"):
            attempt()


def test_the_call_reports_page_and_the_application_block(client):
    call, app = _laureate()
    set_report_due(app, call.manager, "interim", timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(call.manager)
    page = html.unescape(client.get(reverse("calls:call-reports", args=[call.pk])).content.decode())
    assert "1 manquant ; 3 à venir" in page and "Rapport intermédiaire" in page and "Manquant" in page
    client.force_login(app.created_by)
    assert client.get(reverse("calls:call-reports", args=[call.pk])).status_code == 403
    detail = html.unescape(client.get(reverse("calls:application-detail", args=[app.pk])).content.decode())
    assert "Rapports de suivi" in detail and "Envoyer le rapport" in detail and "Modifier l'échéance" not in detail
    response = client.post(
        reverse("calls:report-action", args=[app.pk, "final", "envoyer"]),
        {"file": pdf_upload("final.pdf"), "confirm": "1"},
        follow=True,
    )
    assert "Rapport reçu." in html.unescape(response.content.decode())
    report = Report.objects.get(application=app, kind="final")
    download = client.get(reverse("calls:report-file", args=[report.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    close_response(download)
    client.force_login(agent(email="etranger@ars.example"))
    assert client.get(reverse("calls:report-file", args=[report.pk])).status_code == 403


def test_report_reminders_before_the_due_date_then_weekly_once(settings):
    call, app = _laureate()
    due = timezone.localdate() + datetime.timedelta(days=7)
    set_report_due(app, call.manager, "interim", due)
    today = timezone.localdate()
    assert remind_reports(today) == 1
    assert remind_reports(today) == 0  # the same day: nothing twice
    note = Notification.objects.get(kind="calls.report_reminder", recipient=app.created_by)
    assert note.title == f"Rapport intermédiaire attendu le {due:%d/%m/%Y}" and "dans 7 jours" in note.body
    late_day = due + datetime.timedelta(days=3)
    assert remind_reports(late_day) == 1
    assert remind_reports(late_day) == 0
    late = Notification.objects.filter(kind="calls.report_reminder").latest("pk")
    assert late.title.startswith("Rapport intermédiaire en retard")
    submit_report(app, app.created_by, "interim", pdf_upload("rapport.pdf"))
    assert remind_reports(late_day + datetime.timedelta(days=7)) == 0
