"""The demo's previous campaign (tpj.calls.demo_previous): a Bretagne call whose laureates cannot
reach the national minimum, the national derogation that lets its list be decided, and
porteur@'s convention with its schedule, signature and one payment — coherent on any day of the
load, seen by the demo accounts, and loaded once however many times the demo runs."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tpj.audit.models import AuditEvent
from tpj.calls import demo, demo_previous
from tpj.calls.models import (
    Application,
    Call,
    Campaign,
    Convention,
    DecisionLetter,
    Instalment,
    MinimumDerogation,
    Payment,
)
from tpj.core.policy import check
from tpj.demo import services as demo_services
from tpj.valorisation import dashboard

pytestmark = pytest.mark.django_db

ARS, NATIONAL, PORTEUR = "ars.bretagne@demo.1000jours.fr", "national@demo.1000jours.fr", "porteur@demo.1000jours.fr"


def _accounts():
    for row in demo_services.ORGANISATIONS:
        demo_services._organisation(*row)
    return {spec.email: demo_services._account(spec) for spec in demo_services.ACCOUNTS}


def _load(accounts):
    demo.load(accounts)
    demo_previous.load(accounts)


def _counts():
    models = (Campaign, Call, Application, MinimumDerogation, Convention, Instalment, Payment, DecisionLetter, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


def _page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_loading_twice_gives_the_same_rows():
    accounts = _accounts()
    _load(accounts)
    first = _counts()
    _load(accounts)
    assert _counts() == first
    assert first["MinimumDerogation"] == 1 and first["Convention"] == 1 and first["Payment"] == 1


def test_the_derogation_is_the_way_out_of_the_minimum_and_national_sees_it():
    accounts = _accounts()
    _load(accounts)
    call = demo_previous.previous_call()
    assert call.campaign.year == timezone.localdate().year - 1
    assert call.state == Call.State.TRANSMITTED and not call.transmitted_late
    assert call.state_endowment() == Decimal("160000") < call.minimum_endowment == Decimal("200000")

    derogation = call.derogations.get()
    assert derogation.state == MinimumDerogation.State.GRANTED and derogation.accepted == Decimal("160000")
    assert derogation.requested_by.email == ARS and derogation.decided_by.email == NATIONAL
    assert derogation.request_reason and derogation.decision_reason
    actions = set(AuditEvent.objects.filter(action__startswith="calls.derogation.").values_list("action", flat=True))
    assert actions == {"calls.derogation.requested", "calls.derogation.granted"}

    board = dashboard.build(regions=None, campaign=call.campaign)
    assert [d.pk for d in board.derogations] == [derogation.pk]
    page = _page(accounts[NATIONAL], f"{reverse('valorisation:dashboard')}?annee={call.campaign.year}")
    assert "dérogation" in page.lower() and "160" in page
    assert "dérogation nationale" in _page(accounts[ARS], reverse("calls:call-detail", args=[call.pk])).lower()


def test_porteur_convention_is_signed_and_its_first_instalment_paid():
    accounts = _accounts()
    _load(accounts)
    porteur = accounts[PORTEUR]
    app = Application.objects.get(call=demo_previous.previous_call(), created_by=porteur)
    convention = Convention.objects.current().get(application=app)
    assert convention.state == Convention.State.SIGNED and convention.file and convention.signed_file
    assert [(i.label, i.percent) for i in convention.instalments.all()] == demo_previous.SCHEDULE
    payment = Payment.objects.get(request__application=app)
    assert payment.request.envelope.agency == "ARS" and payment.amount == Decimal("35000")  # 70 % of 50 000 €
    assert payment.instalment_link.instalment.percent == 70
    assert app.convention_signed_on == convention.signed_on

    assert check(porteur, "calls.view_convention", app) and check(accounts[ARS], "calls.manage_follow_up", app)
    url = reverse("calls:convention", args=[app.pk])
    for email in (PORTEUR, ARS):
        assert "signée" in _page(accounts[email], url).lower()


@pytest.mark.parametrize("day", [(1, 1), (6, 30), (12, 31)], ids=["1-janvier", "30-juin", "31-decembre"])
def test_the_story_is_over_and_in_order_whatever_the_day_of_the_load(monkeypatch, day):
    real_now = timezone.now
    year = timezone.localdate().year
    target = timezone.make_aware(datetime.datetime(year, *day, 9, 30))
    shift = target - real_now()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)
    today = timezone.localdate()

    _load(_accounts())

    call = demo_previous.previous_call()
    campaign = call.campaign
    campaign.full_clean()
    assert campaign.state == Campaign.State.TRANSMITTED
    assert all(not d.is_late for d in campaign.declarations.all())
    assert call.calendar_warnings() == []
    derogation = call.derogations.get()
    app = call.applications.get(created_by__email=PORTEUR)
    convention = Convention.objects.current().get(application=app)
    payment = Payment.objects.get(request__application=app)
    local = timezone.localdate
    moments = [
        campaign.intent_deadline,
        call.publication_date,
        local(app.submitted_at),
        local(call.applications_deadline),
        call.jury_date,
        local(app.decided_at),
        local(derogation.requested_at),
        local(derogation.decided_at),
        local(call.laureates_decided_at),
        campaign.laureates_deadline,
    ]
    assert moments == sorted(moments), moments
    follow_up = [
        local(call.laureates_decided_at),
        local(call.transmitted_at),
        local(convention.issued_at),
        convention.signed_on,
        payment.paid_on,
        app.project_started_on,
        today,
    ]
    assert follow_up == sorted(follow_up) and len(set(follow_up)) == len(follow_up), follow_up
    assert local(call.transmitted_at) <= campaign.transmission_deadline
    assert app.project_started_on <= campaign.projects_start_deadline
    assert convention.signed_on <= convention.signature_deadline
    # the current campaign's story is unchanged: its calls still open
    current = Campaign.objects.get(year=today.year)
    assert campaign.projects_start_deadline < current.intent_deadline
    assert all(c.applications_open for c in current.calls.all())
