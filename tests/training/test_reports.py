"""The bilan of a session (issue 20, journey 5): declared by the organisation's members after the
session, by audience and département; refused with a French message and nothing saved when it
does not add up; one per session; audited."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, member_of
from tpj.audit.labels import ACTION_LABELS
from tpj.audit.models import AuditEvent
from tpj.core import policy
from tpj.training.models import OfferState, ReportLine, SessionReport
from tpj.training.services.reports import Line, awaiting_report, submit_report

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def offer(organisation):
    return OfferFactory(organisation=organisation, title="Éveil au langage", state=OfferState.PUBLISHED)


def _session(offer, days_ago: int, capacity=20):
    start = timezone.localdate() - datetime.timedelta(days=days_ago)
    return SessionFactory(
        offer=offer, start_date=start, end_date=start + datetime.timedelta(days=1), capacity=capacity, seats_left=0
    )


@pytest.fixture
def ended(offer):
    return _session(offer, days_ago=10)


def form_data(hours="14", lines=(), blank=1):
    data = {"hours_delivered": hours, "lignes-TOTAL_FORMS": str(len(lines) + blank), "lignes-INITIAL_FORMS": "0"}
    for index, (audience, departement, participants) in enumerate(lines):
        data[f"lignes-{index}-audience"] = audience
        data[f"lignes-{index}-departement"] = departement
        data[f"lignes-{index}-participants"] = str(participants)
    return data


def test_the_organisation_lists_the_bilans_to_declare(client, member, offer, ended):
    coming = SessionFactory(offer=offer)
    client.force_login(member)
    page = text(client.get(reverse("training:mine")))
    assert "Bilans à déclarer" in page and reverse("training:session-report", args=[ended.pk]) in page
    assert reverse("training:session-report", args=[coming.pk]) not in page
    assert list(awaiting_report(member)) == [ended]


def test_a_member_declares_the_bilan_and_it_is_audited(client, member, ended):
    client.force_login(member)
    page = text(client.get(reverse("training:session-report", args=[ended.pk])))
    assert "Au plus 10 fois la durée de la formation (14 heures)" in page and "Ajouter une ligne" in page
    response = client.post(
        reverse("training:session-report", args=[ended.pk]),
        form_data("13,5", [("eaje", "35", 8), ("assistant_maternel", "22", 4)]),
    )
    assert response.status_code == 302
    report = SessionReport.objects.get(session=ended)
    assert report.hours_delivered == Decimal("13.5") and report.submitted_by == member
    assert sorted(report.lines.values_list("audience", "departement", "participants")) == [
        ("assistant_maternel", "22", 4),
        ("eaje", "35", 8),
    ]
    event = AuditEvent.objects.for_object(report).get(action="training.report.submit")
    assert event.actor == member and event.after["participants"] == 12
    assert ACTION_LABELS["training.report.submit"]
    assert "12 participants, 13,5 heures dispensées" in text(client.get(response["Location"]))
    assert list(awaiting_report(member)) == []


def test_more_participants_than_seats_is_refused_and_nothing_saved(client, member, ended):
    client.force_login(member)
    response = client.post(
        reverse("training:session-report", args=[ended.pk]), form_data("14", [("eaje", "35", 15), ("eaje", "29", 10)])
    )
    assert response.status_code == 400
    assert "Le bilan compte 25 participants pour 20 places : corrigez" in text(response)
    assert not SessionReport.objects.exists() and not ReportLine.objects.exists()
    assert not AuditEvent.objects.filter(action="training.report.submit").exists()


def test_no_bilan_before_the_session_ends(client, member, offer):
    today = timezone.localdate()
    running = SessionFactory(offer=offer, start_date=today - datetime.timedelta(days=1), end_date=today)
    client.force_login(member)
    page = text(client.get(reverse("training:session-report", args=[running.pk])))
    assert f"La session se termine le {today:%d/%m/%Y}" in page and "Déclarer le bilan" not in page
    response = client.post(reverse("training:session-report", args=[running.pk]), form_data("7", [("eaje", "35", 3)]))
    assert response.status_code == 400 and "La session se termine le" in text(response)
    assert not SessionReport.objects.exists()


def test_the_same_audience_and_departement_twice_is_refused(client, member, ended):
    client.force_login(member)
    response = client.post(
        reverse("training:session-report", args=[ended.pk]), form_data("14", [("eaje", "35", 3), ("eaje", "35", 2)])
    )
    assert response.status_code == 400
    assert "« Professionnel·le d'EAJE — Ille-et-Vilaine (35) » figure deux fois" in text(response)
    assert not SessionReport.objects.exists()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-1", "Les heures dispensées ne peuvent pas être négatives."),
        ("141", "c'est plus de 10 fois sa durée"),
        ("12,25", "au plus une décimale"),
        ("beaucoup", "Indiquez les heures dispensées en nombre"),
    ],
)
def test_implausible_hours_are_refused(client, member, ended, hours, message):
    client.force_login(member)
    response = client.post(reverse("training:session-report", args=[ended.pk]), form_data(hours, [("eaje", "35", 3)]))
    assert response.status_code == 400 and message in text(response)
    assert not SessionReport.objects.exists()


def test_a_half_filled_line_or_no_line_is_refused(client, member, ended):
    client.force_login(member)
    response = client.post(reverse("training:session-report", args=[ended.pk]), form_data("14", [("eaje", "", 3)]))
    assert response.status_code == 400 and "Complétez la ligne" in text(response)
    response = client.post(reverse("training:session-report", args=[ended.pk]), form_data("14", []))
    assert response.status_code == 400 and "Indiquez au moins une ligne de participants" in text(response)
    assert not SessionReport.objects.exists()


def test_adding_a_line_without_javascript_keeps_what_was_typed_and_saves_nothing(client, member, ended):
    client.force_login(member)
    data = form_data("14", [("eaje", "35", 3)], blank=0)
    data["ajouter_ligne"] = "1"
    response = client.post(reverse("training:session-report", args=[ended.pk]), data)
    assert response.status_code == 200
    page = text(response)
    assert 'name="lignes-1-audience"' in page and 'name="lignes-2-audience"' not in page
    assert 'name="lignes-0-participants" value="3"' in page
    assert not SessionReport.objects.exists()


def test_submitting_again_corrects_the_one_bilan(client, member, ended):
    submit_report(member, ended, hours=Decimal("14"), lines=[Line("eaje", "35", 8)])
    client.force_login(member)
    page = text(client.get(reverse("training:session-report", args=[ended.pk])))
    assert "Corriger le bilan" in page and 'name="lignes-0-participants" value="8"' in page
    response = client.post(reverse("training:session-report", args=[ended.pk]), form_data("12", [("animateur_rpe", "56", 5)]))
    assert response.status_code == 302
    report = SessionReport.objects.get()
    assert report.hours_delivered == Decimal("12")
    assert list(report.lines.values_list("audience", "departement", "participants")) == [("animateur_rpe", "56", 5)]
    events = AuditEvent.objects.for_object(report).filter(action="training.report.submit").order_by("pk")
    assert events.count() == 2 and events.last().before["participants"] == 8


def test_a_concurrent_first_bilan_updates_instead_of_failing(member, ended, monkeypatch):
    """Another member's bilan committed between the lookup and the creation (no row lock on
    SQLite): the unique session makes the creation fail, and this submission corrects it."""
    other = member_of(ended.offer.organisation)
    submit_report(other, ended, hours=Decimal("14"), lines=[Line("eaje", "35", 2)])
    from tpj.training.services import reports as service

    real = service.SessionReport.objects.select_for_update

    class Missing:
        def filter(self, **kwargs):
            return self

        def first(self):
            return None

    calls = []

    def first_lookup_misses():
        calls.append(1)
        return Missing() if len(calls) == 1 else real()

    monkeypatch.setattr(service.SessionReport.objects, "select_for_update", first_lookup_misses)
    report, created = submit_report(member, ended, hours=Decimal("10"), lines=[Line("eaje", "35", 6)])
    assert not created and SessionReport.objects.count() == 1
    assert list(report.lines.values_list("participants", flat=True)) == [6]
    assert connection.in_atomic_block  # the test's transaction is still usable


def test_only_the_organisations_members_declare(client, ended):
    outsider = member_of(TrainingOrganisationFactory())
    client.force_login(outsider)
    response = client.get(reverse("training:session-report", args=[ended.pk]))
    assert response.status_code == 403
    assert "Seuls les membres de l'organisme de formation peuvent déclarer le bilan" in text(response)
    assert (
        client.post(reverse("training:session-report", args=[ended.pk]), form_data("14", [("eaje", "35", 3)])).status_code == 403
    )
    with pytest.raises(policy.PermissionDenied):
        submit_report(UserFactory(), ended, hours=Decimal("14"), lines=[Line("eaje", "35", 3)])
    assert not SessionReport.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, ended):
    for url in (reverse("training:session-report", args=[ended.pk]), reverse("training:reports")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_service_refuses_an_unknown_departement_or_audience(member, ended):
    with pytest.raises(ValidationError) as error:
        submit_report(member, ended, hours=Decimal("14"), lines=[Line("eaje", "999", 3), Line("chef", "35", 1)])
    assert "Ligne 1 : département inconnu « 999 »." in error.value.messages
    assert "Ligne 2 : public inconnu « chef »." in error.value.messages
    assert not SessionReport.objects.exists()


def test_the_bilans_page_lists_declared_and_awaiting(client, member, offer, ended):
    older = _session(offer, days_ago=40)
    submit_report(member, older, hours=Decimal("14"), lines=[Line("eaje", "35", 9)])
    client.force_login(member)
    page = text(client.get(reverse("training:reports")))
    assert "1 bilan déclaré" in page and reverse("training:session-report", args=[ended.pk]) in page


def test_mon_espace_asks_the_member_for_the_bilan(client, member, ended):
    client.force_login(member)
    page = text(client.get(reverse("workspace:index")))
    assert "Déclarez le bilan de « Éveil au langage »" in page
    assert reverse("training:session-report", args=[ended.pk]) in page
