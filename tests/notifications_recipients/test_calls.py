"""Who the calls tell, and where they send them: the managers of the call's agencies in its
région (not another région's, not the other agency of a single-agency call), the carrier's
accounts, the jurors, the national team. Never the actor, nobody twice, nothing on a rollback."""

import pytest
from django.db import transaction
from django.urls import reverse

from tests.calls.factories import (
    CampaignFactory,
    applicant,
    close,
    decided_call,
    jury_user,
    make_call,
    manager,
    submitted_application,
)
from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.calls.emails import INFORMATION_REQUEST, RECEIPT
from tpj.calls.models import JuryMember
from tpj.calls.services.calls import fire_call, transmit
from tpj.calls.services.campaigns import declare_intent
from tpj.calls.services.instruction import answer_information, declare_eligible, declare_ineligible, request_information
from tpj.calls.services.jury import add_jury_member, assign
from tpj.notifications.models import Notification
from tpj.outbox.models import OutgoingEmail

from .conftest import emails_by_address, last_email_pk, told

pytestmark = pytest.mark.django_db


class Abort(Exception):
    pass


def application_page(app):
    return reverse("calls:application-detail", args=[app.pk])


def test_the_managers_of_the_call_are_told_of_a_submission_not_those_of_another_territory():
    call = make_call()  # a joint call of Bretagne: the ARS and the DREETS of Bretagne manage it
    elsewhere = manager("ARS", "84")
    author = applicant()
    since = last_email_pk()
    app = submitted_application(call, author)

    notified = told("calls.application.submit")
    assert set(notified) == {call.manager, call.co_manager}
    assert elsewhere not in notified and author not in notified
    assert {n.url for n in notified.values()} == {application_page(app)}
    assert app.reference in notified[call.manager].title
    # one e-mail each: the applicant's receipt, the managers' notification
    assert emails_by_address(since) == {author.email: 1, call.manager.email: 1, call.co_manager.email: 1}
    assert OutgoingEmail.objects.filter(pk__gt=since, recipients=[author.email]).get().purpose == RECEIPT


def test_the_other_agency_is_not_told_of_a_submission_to_a_single_agency_call():
    call = make_call(strand="ars")
    dreets = manager("DREETS", "53")
    colleague = manager("ARS", "53")  # a second manager of the same ARS
    submitted_application(call)
    assert set(told("calls.application.submit")) == {call.manager, colleague} and dreets not in told("calls.application.submit")


def test_the_carrier_is_told_of_an_information_request_and_the_managers_of_the_answer():
    call = make_call()
    author = applicant()
    colleague = applicant(organisation=author.organisation)
    app = submitted_application(call, author)
    since = last_email_pk()
    request_information(app, call.manager, "Précisez le plan de financement.")

    notified = told("calls.application.request_info")
    assert set(notified) == {author, colleague}  # not the manager who asked, not the co-manager
    assert {n.url for n in notified.values()} == {application_page(app)}
    assert {n.body for n in notified.values()} == {"Précisez le plan de financement."}
    # the applicant gets the request's own e-mail only, its colleague the notification's
    assert emails_by_address(since) == {author.email: 1, colleague.email: 1}
    assert OutgoingEmail.objects.filter(pk__gt=since, recipients=[author.email]).get().purpose == INFORMATION_REQUEST

    since = last_email_pk()
    answer_information(app, colleague, "Le plan est joint.")
    answered = told("calls.application.answer_info")
    assert set(answered) == {call.manager, call.co_manager}
    assert {n.url for n in answered.values()} == {application_page(app)}
    assert emails_by_address(since) == {call.manager.email: 1, call.co_manager.email: 1}


def test_the_carrier_is_told_of_the_eligibility_decisions():
    call = make_call()
    author, other = applicant(), applicant()
    eligible, ineligible = submitted_application(call, author), submitted_application(call, other)
    close(call)
    since = last_email_pk()
    declare_eligible(eligible, call.manager)
    declare_ineligible(ineligible, call.co_manager, "Hors du territoire de l'appel.")

    assert list(told("calls.application.declare_eligible")) == [author]
    (refused,) = told("calls.application.declare_ineligible").values()
    assert refused.recipient == other and refused.body == "Hors du territoire de l'appel."
    assert refused.url == application_page(ineligible)
    assert emails_by_address(since) == {author.email: 1, other.email: 1}  # no manager, no decision letter yet


def test_the_jurors_are_told_when_seated_when_given_files_and_when_scoring_opens():
    call = make_call()
    author = applicant()
    app = submitted_application(call, author)
    juror = jury_user()
    carrier_juror = jury_user(organisation=author.organisation)  # recused from its own organisation's file
    add_jury_member(call, call.manager, juror, JuryMember.Kind.EXPERT)
    add_jury_member(call, call.manager, carrier_juror, JuryMember.Kind.OPERATOR)
    assert set(told("calls.jury_seat")) == {juror, carrier_juror}

    declare_eligible(app, call.manager)
    assign(call, call.manager)  # files are given before scoring opens: the recused juror has none to score
    (assigned,) = told("calls.sheets_assigned").values()
    assert assigned.recipient == juror and assigned.title.startswith("1 dossier à noter")
    assert assigned.url == reverse("calls:my-jury")

    since = last_email_pk()
    close(call)
    notified = told("calls.call.close_applications")
    assert set(notified) == {juror, call.co_manager}  # not the manager who closed, nor a juror with nothing to score
    assert notified[juror].url == reverse("calls:my-jury")
    assert notified[call.co_manager].url == reverse("calls:call-detail", args=[call.pk])
    assert emails_by_address(since) == {juror.email: 1, call.co_manager.email: 1}


def test_the_national_team_is_told_of_a_transmission_and_of_a_declaration_of_intent():
    national = user_with_role(Role.NATIONAL_TEAM)
    call, _ = decided_call()
    since = last_email_pk()
    transmit(call, call.co_manager)
    notified = told("calls.call.transmit")
    assert set(notified) == {national, call.manager}
    assert notified[national].url == reverse("calls:campaign-board", args=[call.campaign_id])
    assert emails_by_address(since) == {national.email: 1, call.manager.email: 1}

    campaign = CampaignFactory(year=call.campaign.year + 1)
    ars = manager("ARS", "84")
    declare_intent(ars, campaign, joint=False, referent_name="Anne Référente", referent_email="anne@ars.fr")
    (declared,) = told("calls.intent_declared").values()
    assert declared.recipient == national and declared.url == reverse("calls:campaign-board", args=[campaign.pk])
    assert "Anne Référente" in declared.body


def test_a_rolled_back_event_leaves_no_notification_and_no_e_mail():
    call = make_call()
    juror = jury_user()
    app = submitted_application(call)
    notifications, emails = Notification.objects.count(), OutgoingEmail.objects.count()
    with pytest.raises(Abort), transaction.atomic():
        request_information(app, call.manager, "Une question.")
        add_jury_member(call, call.manager, juror, JuryMember.Kind.EXPERT)
        fire_call(call, call.manager, "close_applications")
        assert Notification.objects.count() > notifications
        raise Abort
    assert (Notification.objects.count(), OutgoingEmail.objects.count()) == (notifications, emails)
