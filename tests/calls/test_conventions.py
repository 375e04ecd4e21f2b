"""Conventions de subvention: a laureate's schedule set by its manager, the PDF drawn once by a
worker and archived as issued, the signed copy uploaded with its date, payments against the
schedule per envelope, and the convention overdue once its signature deadline has passed."""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from tpj.audit.models import AuditEvent
from tpj.calls.letters import simple_pdf
from tpj.calls.models import Convention, Payment
from tpj.calls.services.conventions import (
    ScheduleLine,
    convention_overdue,
    draft_for,
    issue_convention,
    overdue_application_ids,
    record_instalment_payment,
    request_convention,
    save_schedule,
    schedule_lines,
    shares,
    sign_convention,
)
from tpj.calls.services.decisions import decide
from tpj.calls.tasks.conventions import draw_convention, recover_conventions
from tpj.core.policy import PermissionDenied

from .factories import applicant, decidable, decided_call

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"
DEFAULT = [ScheduleLine("À la signature de la convention", 70), ScheduleLine("Sur remise du rapport final", 30)]


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def signed_pdf(name="convention-signee.pdf"):
    return SimpleUploadedFile(name, simple_pdf("Convention signée", ["Lu et approuvé."]), content_type="application/pdf")


def issued(django_capture_on_commit_callbacks, lines=DEFAULT, app_index=0):
    call, apps = decided_call()
    app = apps[app_index]
    convention = save_schedule(app, call.manager, lines, timezone.localdate() + datetime.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        request_convention(convention, call.manager)
    convention.refresh_from_db()
    return call, app, convention


def test_the_default_schedule_is_seventy_then_thirty_percent():
    call, apps = decided_call()
    convention = draft_for(apps[0])
    assert convention.pk is None
    assert [(line.label, line.percent) for line in schedule_lines(convention)] == [
        ("À la signature de la convention", 70),
        ("Sur remise du rapport final", 30),
    ]


def test_a_schedule_must_add_up_to_one_hundred_percent_and_nothing_is_saved_otherwise():
    call, apps = decided_call()
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError) as error:
        save_schedule(apps[0], call.manager, [ScheduleLine("À la signature", 60), ScheduleLine("Au solde", 30)], deadline)
    assert "Les échéances totalisent 90 % : elles doivent totaliser 100 % de la subvention." in error.value.messages
    with pytest.raises(ValidationError, match="Nommez l'échéance n° 1"):
        save_schedule(apps[0], call.manager, [ScheduleLine(" ", 100)], deadline)
    with pytest.raises(ValidationError, match="déjà passée"):
        save_schedule(apps[0], call.manager, DEFAULT, timezone.localdate() - datetime.timedelta(days=1))
    assert not Convention.objects.exists()


def test_only_a_laureate_has_a_convention_and_only_its_managers_prepare_it():
    call, apps = decided_call()
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError, match="Seul un projet lauréat"):
        save_schedule(apps[3], call.manager, DEFAULT, deadline)  # rejected
    with pytest.raises(PermissionDenied):
        save_schedule(apps[0], apps[0].created_by, DEFAULT, deadline)
    with pytest.raises(PermissionDenied):
        save_schedule(apps[0], applicant(), DEFAULT, deadline)


def test_no_convention_before_the_laureate_list_is_decided():
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    with pytest.raises(ValidationError, match="une fois la liste des lauréats arrêtée"):
        save_schedule(apps[0], call.manager, DEFAULT, timezone.localdate() + datetime.timedelta(days=30))


def test_each_envelope_is_split_to_the_cent_and_the_last_instalment_takes_the_rest():
    call, apps = decided_call()
    lines = [ScheduleLine("Avance", 33), ScheduleLine("Acompte", 33), ScheduleLine("Solde", 34)]
    convention = save_schedule(apps[1], call.manager, lines, timezone.localdate() + datetime.timedelta(days=30))
    dues = {(s.instalment.label, s.request.envelope.agency): s.due for s in shares(convention)}
    assert dues[("Avance", "ARS")] == Decimal("13200.00") and dues[("Solde", "ARS")] == Decimal("13600.00")
    assert sum(v for (label, agency), v in dues.items() if agency == "DREETS") == Decimal("40000.00")


def test_the_convention_is_drawn_once_stored_with_its_checksum_and_sent_to_the_carrier(
    mailoutbox, django_capture_on_commit_callbacks
):
    call, app, convention = issued(django_capture_on_commit_callbacks)
    assert convention.state == Convention.State.ISSUED and convention.attempts == 1
    with convention.file.open("rb") as stored:
        content = stored.read()
    assert hashlib.sha256(content).hexdigest() == convention.sha256
    (event,) = AuditEvent.objects.for_object(app).filter(action="calls.convention.issued")
    assert event.after["sha256"] == convention.sha256
    (sent,) = [m for m in mailoutbox if m.to == [app.created_by.email]]
    assert sent.attachments[0][1] == content and "avant le" in sent.body

    text = _text(content)
    # parties with their SIRET, each envelope's amount, the schedule per envelope, indicators, dates
    assert f"SIRET {app.carrier_siret}" in text and app.organisation.name in text
    assert f"60{NNBSP}000,00{NNBSP}€" in text and f"120{NNBSP}000,00{NNBSP}€" in text
    assert f"42{NNBSP}000,00{NNBSP}€" in text and f"18{NNBSP}000,00{NNBSP}€" in text  # 70 % and 30 % of 60 000 €
    assert "Familles accompagnées" in text and "Registre des présences" in text
    interim = app.start_date.replace(year=app.start_date.year + 1, month=4)  # the call's default: 6 months after the start
    assert f"rapport intermédiaire au plus tard le {interim:%d/%m/%Y}" in " ".join(text.split())
    assert f"rapport final au plus tard le {app.end_date:%d/%m/%Y}" in " ".join(text.split())
    assert "■" not in text

    # A copy of the task and the recovery redraw nothing and send nothing.
    with django_capture_on_commit_callbacks(execute=True):
        draw_convention(convention.pk)
        recover_conventions()
    convention.refresh_from_db()
    assert convention.attempts == 1 and convention.sha256 == hashlib.sha256(content).hexdigest()
    assert len([m for m in mailoutbox if m.to == [app.created_by.email]]) == 1
    with pytest.raises(ValidationError, match="déjà rédigée"):
        save_schedule(app, call.manager, DEFAULT, timezone.localdate() + datetime.timedelta(days=10))


def test_a_name_with_markup_is_text_in_the_pdf(django_capture_on_commit_callbacks):
    call, apps = decided_call()
    app = apps[0]
    app.organisation.name = "Crèche <Les Lutins> & Cie"
    app.organisation.save()
    convention = save_schedule(app, call.manager, DEFAULT, timezone.localdate() + datetime.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        request_convention(convention, call.manager)
    convention.refresh_from_db()
    assert convention.state == Convention.State.ISSUED
    with convention.file.open("rb") as stored:
        assert "Crèche <Les Lutins> & Cie" in _text(stored.read())


def test_a_failed_drawing_is_tried_again_then_shown_failed(django_capture_on_commit_callbacks, monkeypatch):
    call, apps = decided_call()
    convention = save_schedule(apps[0], call.manager, DEFAULT, timezone.localdate() + datetime.timedelta(days=30))

    def broken(*args):
        raise OSError("disque plein")

    monkeypatch.setattr("tpj.calls.conventions.convention_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        request_convention(convention, call.manager)
    convention.refresh_from_db()
    assert convention.state == Convention.State.REQUESTED and "n'a pas pu être rédigée" in convention.last_error
    for _ in range(2):
        Convention.objects.filter(pk=convention.pk).update(claimed_until=None)
        issue_convention(convention.pk)
    convention.refresh_from_db()
    assert convention.state == Convention.State.FAILED and convention.is_editable


def test_the_signed_convention_is_a_pdf_by_its_content_with_its_date(django_capture_on_commit_callbacks):
    call, app, convention = issued(django_capture_on_commit_callbacks)
    today = timezone.localdate()
    renamed = SimpleUploadedFile("convention.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="doit être un PDF"):
        sign_convention(convention, app.created_by, renamed, today)
    with pytest.raises(ValidationError, match="dans le futur"):
        sign_convention(convention, app.created_by, signed_pdf(), today + datetime.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        sign_convention(convention, applicant(), signed_pdf(), today)
    convention.refresh_from_db()
    assert convention.state == Convention.State.ISSUED and not convention.signed_file

    sign_convention(convention, app.created_by, signed_pdf(), today)
    convention.refresh_from_db()
    app.refresh_from_db()
    assert convention.state == Convention.State.SIGNED and convention.signed_on == today
    assert app.convention_signed_on == today  # the exports and the SCDL file read it
    assert AuditEvent.objects.for_object(app).filter(action="calls.convention.signed").exists()
    with pytest.raises(ValidationError, match="déjà signée"):
        sign_convention(convention, call.manager, signed_pdf(), today)


def test_payments_follow_the_schedule_per_envelope(django_capture_on_commit_callbacks):
    call, app, convention = issued(django_capture_on_commit_callbacks)
    first, balance = convention.instalments.all()
    ars = app.requests.get(envelope__agency="ARS")
    dreets = app.requests.get(envelope__agency="DREETS")
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="aucun versement avant sa signature"):
        record_instalment_payment(first, ars, call.manager, Decimal("42000"), today)
    sign_convention(convention, call.manager, signed_pdf(), today)

    record_instalment_payment(first, ars, call.manager, Decimal("40000"), today)
    with pytest.raises(ValidationError) as error:
        record_instalment_payment(first, ars, call.manager, Decimal("2000.01"), today)
    assert error.value.message_dict["amount"] == [
        f"L'échéance « À la signature de la convention » doit 42{NNBSP}000,00{NNBSP}€ sur l'enveloppe ARS, dont "
        f"40{NNBSP}000,00{NNBSP}€ déjà versés : ce versement de 2{NNBSP}000,01{NNBSP}€ la dépasserait "
        f"(reste dû : 2{NNBSP}000,00{NNBSP}€)."
    ]
    record_instalment_payment(first, ars, call.manager, Decimal("2000"), today)
    record_instalment_payment(first, dreets, call.manager, Decimal("42000"), today)  # the other envelope has its own
    with pytest.raises(ValidationError, match="positif"):
        record_instalment_payment(balance, ars, call.manager, Decimal("0"), today)
    with pytest.raises(ValidationError, match="précéder la signature"):
        record_instalment_payment(balance, ars, call.manager, Decimal("1"), today - datetime.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        record_instalment_payment(balance, ars, app.created_by, Decimal("1000"), today)
    record_instalment_payment(balance, ars, call.manager, Decimal("18000"), today)

    paid = {(s.instalment.label, s.request.envelope.agency): (s.paid, s.remaining) for s in shares(convention)}
    assert paid[("À la signature de la convention", "ARS")] == (Decimal("42000"), Decimal("0"))
    assert paid[("Sur remise du rapport final", "ARS")] == (Decimal("18000"), Decimal("0"))
    assert paid[("Sur remise du rapport final", "DREETS")] == (Decimal("0"), Decimal("18000.00"))
    assert Payment.objects.filter(request=ars).count() == 3
    assert AuditEvent.objects.for_object(app).filter(action="calls.payment.recorded").count() == 4


def test_an_unsigned_convention_past_its_deadline_is_overdue(django_capture_on_commit_callbacks):
    call, app, convention = issued(django_capture_on_commit_callbacks)
    deadline = convention.signature_deadline
    assert not convention_overdue(app, today=deadline)
    assert convention_overdue(app, today=deadline + datetime.timedelta(days=1))
    assert overdue_application_ids(call, today=deadline + datetime.timedelta(days=1)) == {app.pk}
    sign_convention(convention, call.manager, signed_pdf(), timezone.localdate())
    assert not convention_overdue(app, today=deadline + datetime.timedelta(days=1))
