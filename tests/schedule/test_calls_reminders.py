"""Reminders of the calls module: the right people, once, and nobody who did their part."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.calls.factories import (
    CampaignFactory,
    applicant,
    close,
    content,
    jury_user,
    make_call,
    manager,
    submitted_application,
)
from tpj.calls.models import Call, Campaign, IntentDeclaration, JuryMember, ScoreSheet
from tpj.calls.notification_kinds import DEADLINE_REMINDER, DRAFT_REMINDER, JURY_REMINDER
from tpj.calls.services.applications import create_application
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import add_jury_member, assign
from tpj.calls.services.reminders import due_offset, remind_agencies, remind_applicants, remind_jurors
from tpj.notifications.emails import IMMEDIATE
from tpj.notifications.models import Notification
from tpj.outbox.models import OutgoingEmail
from tpj.outbox.services import SUBJECT_PREFIX

pytestmark = pytest.mark.django_db


def mails(kind):
    """The e-mails of the reminders of `kind`: each is a notification, e-mailed at once by default."""
    subjects = {f"{SUBJECT_PREFIX}{title}" for title in Notification.objects.filter(kind=kind).values_list("title", flat=True)}
    return [m for m in OutgoingEmail.objects.filter(purpose=IMMEDIATE).order_by("pk") if m.subject in subjects]


def campaign_with(today, **deadlines) -> Campaign:
    """A campaign of this year whose deadlines are far away, but those given (in days from today)."""
    far = {"intent_deadline": 200, "laureates_deadline": 210, "transmission_deadline": 220, "projects_start_deadline": 230}
    far.update(deadlines)
    return CampaignFactory(**{name: today + datetime.timedelta(days=days) for name, days in far.items()})


def declare(campaign, user, agency):
    IntentDeclaration.objects.create(
        campaign=campaign,
        region_id="53",
        agency=agency,
        organisation=user.organisation,
        referent_name="Référente",
        referent_email=user.email,
        declared_by=user,
    )


def test_the_reminder_due_is_the_last_offset_reached_never_after_the_deadline():
    assert [due_offset(days, (14, 7, 1)) for days in (20, 14, 9, 7, 6, 1, 0, -1)] == [None, 14, 14, 7, 7, 1, 1, None]


def test_agencies_that_have_not_declared_are_reminded_once_per_offset():
    today = timezone.localdate()
    campaign = campaign_with(today, intent_deadline=7)
    ars, dreets = manager("ARS", "53"), manager("DREETS", "53")
    declare(campaign, dreets, "DREETS")

    assert remind_agencies(today) == 1
    assert remind_agencies(today) == 0  # the same day again: nothing twice
    assert remind_agencies(today + datetime.timedelta(days=2)) == 0  # 5 days left: the 7-day reminder was sent
    (message,) = mails(DEADLINE_REMINDER)
    assert message.recipients == [ars.email]  # the DREETS declared: nothing for it
    assert "déclaration d'intention" in message.subject
    assert f"{campaign.intent_deadline:%d/%m/%Y}" in message.body
    assert "dans 7 jours" in message.body

    assert remind_agencies(today + datetime.timedelta(days=6)) == 1  # the day before: the 1-day reminder
    assert "demain" in mails(DEADLINE_REMINDER)[-1].body
    assert remind_agencies(today + datetime.timedelta(days=8)) == 0  # the deadline passed


def test_agencies_whose_call_is_not_transmitted_are_reminded_before_the_transmission_deadline():
    today = timezone.localdate()
    campaign = campaign_with(today, transmission_deadline=1, laureates_deadline=-5, intent_deadline=-60)
    ars = manager("ARS", "53")
    call = make_call(strand="ars", region="53", campaign=campaign, by=ars)
    campaign.state = Campaign.State.CLOSED
    campaign.save()
    manager("DREETS", "53")  # runs no call: nothing to transmit

    assert remind_agencies(today) == 1
    (message,) = mails(DEADLINE_REMINDER)
    assert message.recipients == [ars.email]
    assert "transmission de la liste des lauréats" in message.subject

    Campaign.objects.filter(pk=campaign.pk).update(transmission_deadline=today + datetime.timedelta(days=7))
    call.state = call.State.TRANSMITTED
    call.save()
    assert remind_agencies(today) == 0  # transmitted: nothing more


def test_authors_of_drafts_are_reminded_before_the_deadline_not_those_who_submitted():
    # Noon (Paris) a week from today, whatever the hour the test runs at: 7 days left.
    noon = datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=7), datetime.time(12))
    call = make_call(deadline=timezone.make_aware(noon))
    author = applicant()
    draft, _ = create_application(author, call, content(call, title="Mon projet en brouillon"))
    submitted_application(call, applicant())

    assert remind_applicants() == 1
    assert remind_applicants() == 0
    (message,) = mails(DRAFT_REMINDER)
    assert message.recipients == [author.email]
    assert "Mon projet en brouillon" in message.body
    assert f"{settings.SITE_URL.rstrip('/')}{reverse('calls:application-edit', args=[draft.pk])}" in message.body


def test_jurors_with_files_to_score_are_reminded_and_those_done_are_not():
    call = make_call()
    submitted = [submitted_application(call, title=f"Projet {i}") for i in range(2)]
    close(call)
    for application in submitted:
        declare_eligible(application, call.manager)
    busy, done = jury_user(), jury_user()
    for user in (busy, done):
        add_jury_member(call, call.manager, user, JuryMember.Kind.EXPERT)
    assign(call, call.manager)
    ScoreSheet.objects.filter(member__user=done).update(submitted_at=timezone.now())
    call.jury_date = timezone.localdate() + datetime.timedelta(days=7)
    Call.objects.filter(pk=call.pk).update(jury_date=call.jury_date)

    assert remind_jurors() == 1
    assert remind_jurors() == 0
    (message,) = mails(JURY_REMINDER)
    assert message.recipients == [busy.email]
    assert message.subject.endswith(f"2 dossiers à noter — jury du {call.jury_date:%d/%m/%Y}")
    assert "2 dossiers vous restent à noter" in message.body

    # After the jury's date, once a week while files are left.
    Call.objects.filter(pk=call.pk).update(jury_date=timezone.localdate() - datetime.timedelta(days=1))
    assert remind_jurors() == 1
    assert remind_jurors() == 0
    assert remind_jurors(timezone.localdate() + datetime.timedelta(days=7)) == 1
