"""A laureate's convention in the browser's terms: the manager edits the schedule and has it
drawn, the carrier downloads it and sends back the signed copy, the manager records the
payments; refusals in French with nothing saved; who sees what."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.responses import close_response
from tpj.calls.letters import simple_pdf
from tpj.calls.models import Convention, Payment

from .factories import applicant, decided_call, jury_user

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _schedule(rows, deadline, generate=False):
    data = {
        "signature_deadline": deadline.isoformat(),
        "echeances-TOTAL_FORMS": str(len(rows) + 1),
        "echeances-INITIAL_FORMS": str(len(rows)),
        "echeances-MIN_NUM_FORMS": "0",
        "echeances-MAX_NUM_FORMS": "12",
    }
    for i, (label, percent) in enumerate(rows):
        data[f"echeances-{i}-label"] = label
        data[f"echeances-{i}-percent"] = str(percent)
    if generate:
        data["rediger"] = "1"
        data["confirm"] = "1"  # drawing the convention is confirmed (tests/calls/test_confirmations_calls.py)
    return data


@pytest.fixture
def laureate():
    call, apps = decided_call()
    return call, apps[0]


def test_the_manager_sets_the_schedule_and_has_the_convention_drawn(client, django_capture_on_commit_callbacks, laureate):
    call, app = laureate
    client.force_login(call.manager)
    page = _text(client.get(reverse("calls:convention", args=[app.pk])))
    assert "Préparer la convention" in page and "À la signature de la convention" in page and 'value="70"' in page

    deadline = timezone.localdate() + datetime.timedelta(days=30)
    url = reverse("calls:convention-action", args=[app.pk, "echeancier"])
    refused = client.post(url, _schedule([("À la signature", 60), ("Au solde", 30)], deadline))
    assert refused.status_code == 400
    assert "Les échéances totalisent 90 % : elles doivent totaliser 100 % de la subvention." in _text(refused)
    assert not Convention.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, _schedule([("À la signature", 70), ("Au solde", 30)], deadline, generate=True), follow=True)
    assert "La convention est en cours de rédaction" in _text(done)
    convention = Convention.objects.get()
    assert convention.state == Convention.State.ISSUED
    page = _text(client.get(reverse("calls:convention", args=[app.pk])))
    assert "Convention émise le" in page and "Préparer la convention" not in page
    assert f"à retourner signée au plus tard le {deadline:%d/%m/%Y}" in page
    download = client.get(reverse("calls:convention-file", args=[app.pk, "emise"]))
    with convention.file.open("rb") as stored:
        assert b"".join(download.streaming_content) == stored.read()
    close_response(download)


def test_the_carrier_signs_and_the_manager_pays_against_the_schedule(client, django_capture_on_commit_callbacks, laureate):
    call, app = laureate
    client.force_login(call.manager)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("calls:convention-action", args=[app.pk, "echeancier"]),
            _schedule([("À la signature", 70), ("Au solde", 30)], deadline, generate=True),
        )

    carrier = app.created_by
    client.force_login(carrier)
    page = _text(client.get(reverse("calls:convention", args=[app.pk])))
    assert "Déposer la convention signée" in page and "Enregistrer l'échéancier" not in page
    sign = reverse("calls:convention-action", args=[app.pk, "signature"])
    today = timezone.localdate().isoformat()
    bad = client.post(sign, {"signed_on": today, "file": SimpleUploadedFile("c.pdf", b"<html>pas un pdf</html>")})
    assert bad.status_code == 400 and "La convention signée doit être un PDF" in _text(bad)
    pdf = SimpleUploadedFile("signee.pdf", simple_pdf("Convention", ["Signée."]), content_type="application/pdf")
    signed = client.post(sign, {"signed_on": today, "file": pdf, "confirm": "1"}, follow=True)
    assert "Convention signée enregistrée" in _text(signed)
    assert "Enregistrer un versement" not in _text(signed)  # the carrier does not pay

    client.force_login(call.manager)
    convention = Convention.objects.get()
    first = convention.instalments.get(label="À la signature")
    ars = app.requests.get(envelope__agency="ARS")
    pay = reverse("calls:convention-action", args=[app.pk, "versement"])
    data = {"instalment": first.pk, "request": ars.pk, "amount": "42000.01", "paid_on": today, "label": ""}
    too_much = client.post(pay, {**data, "confirm": "1"})
    assert too_much.status_code == 400 and "la dépasserait" in _text(too_much)
    assert not Payment.objects.exists()
    client.post(pay, {**data, "amount": "42000", "confirm": "1"})
    assert Payment.objects.get().amount == Decimal("42000")
    page = _text(client.get(reverse("calls:convention", args=[app.pk])))
    assert "42\u202f000,00\u202f€" in page and "Versements" in page


def test_who_sees_a_convention(client, laureate):
    call, app = laureate
    url = reverse("calls:convention", args=[app.pk])
    for stranger in (applicant(), jury_user()):
        client.force_login(stranger)
        assert client.get(url).status_code == 403
    client.force_login(app.created_by)
    detail = _text(client.get(reverse("calls:application-detail", args=[app.pk])))
    assert "Convention de subvention" in detail and "Pas encore préparée." in detail
    assert "Préparer le ZIP des pièces jointes" not in detail  # the carrier does not instruct
    client.force_login(call.manager)
    detail = _text(client.get(reverse("calls:application-detail", args=[app.pk])))
    assert "Préparer le ZIP des pièces jointes" in detail
    rejected = call.applications.filter(state="rejected").first()
    assert client.get(reverse("calls:convention", args=[rejected.pk])).status_code == 404
    assert client.get(reverse("calls:convention-action", args=[app.pk, "signature"])).status_code == 405
    assert client.get(reverse("calls:convention-file", args=[app.pk, "emise"])).status_code == 404


def test_a_calls_conventions_show_the_overdue_ones(client, django_capture_on_commit_callbacks, laureate):
    call, app = laureate
    client.force_login(call.manager)
    deadline = timezone.localdate() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("calls:convention-action", args=[app.pk, "echeancier"]),
            _schedule([("Unique", 100)], deadline, generate=True),
        )
    Convention.objects.update(signature_deadline=timezone.localdate() - datetime.timedelta(days=1))
    page = _text(client.get(reverse("calls:call-conventions", args=[call.pk])))
    assert "1 convention non signée à l'échéance" in page and "Non signée à l'échéance" in page
    assert "2 lauréats" in page
    client.force_login(app.created_by)
    assert client.get(reverse("calls:call-conventions", args=[call.pk])).status_code == 403
