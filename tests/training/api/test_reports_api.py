"""Journey 5 through the API: the organisation declares a session's bilan once it has ended,
with the site's rules (one per session, no more participants than seats), audited."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, member_of
from tpj.audit.models import AuditEvent
from tpj.territories.models import Commune
from tpj.training.models import OfferState, ReportLine, SessionReport

pytestmark = pytest.mark.django_db

URL = "/api/v1/training/reports/"


def ended_session(offer, capacity=20, days_ago=10):
    start = timezone.localdate() - datetime.timedelta(days=days_ago)
    return SessionFactory(
        offer=offer, start_date=start, end_date=start + datetime.timedelta(days=1), capacity=capacity, seats_left=0
    )


@pytest.fixture
def offer(organisation):
    return OfferFactory(organisation=organisation, state=OfferState.PUBLISHED)


@pytest.fixture
def ended(offer):
    return ended_session(offer)


def body(hours="13.5", lines=(("eaje", "35", 8), ("assistant_maternel", "22", 4))):
    return {"heures": hours, "lignes": [{"public": a, "departement": d, "participants": p} for a, d, p in lines]}


def test_a_member_declares_then_corrects_the_bilan_audited(api_client, member, ended):
    api_client.force_authenticate(member)
    assert [row["id"] for row in api_client.get(f"{URL}awaiting/").json()["results"]] == [ended.pk]
    response = api_client.put(f"{URL}{ended.pk}/", body(), format="json")
    assert response.status_code == 201, response.content
    report = SessionReport.objects.get(session=ended)
    assert report.hours_delivered == Decimal("13.5") and report.submitted_by == member
    assert response.json()["participants"] == 12
    event = AuditEvent.objects.for_object(report).get(action="training.report.submit")
    assert event.actor == member and event.after["participants"] == 12

    corrected = api_client.put(f"{URL}{ended.pk}/", body("14", [("eaje", "35", 10)]), format="json")
    assert corrected.status_code == 200
    assert SessionReport.objects.count() == 1
    assert list(ReportLine.objects.values_list("audience", "departement", "participants")) == [("eaje", "35", 10)]
    assert api_client.get(f"{URL}{ended.pk}/").json()["lignes"] == [{"public": "eaje", "departement": "35", "participants": 10}]
    assert [row["session"] for row in api_client.get(URL).json()["results"]] == [ended.pk]
    assert api_client.get(f"{URL}awaiting/").json()["results"] == []


def test_more_participants_than_seats_is_refused_and_nothing_saved(api_client, member, ended):
    api_client.force_authenticate(member)
    response = api_client.put(f"{URL}{ended.pk}/", body("14", [("eaje", "35", 15), ("eaje", "29", 10)]), format="json")
    assert response.status_code == 400
    assert "Le bilan compte 25 participants pour 20 places : corrigez" in str(response.json())
    assert not SessionReport.objects.exists() and not ReportLine.objects.exists()
    assert not AuditEvent.objects.filter(action="training.report.submit").exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (body(hours=""), "Indiquez les heures dispensées."),
        (body(hours="-2"), "ne peuvent pas être négatives"),
        (body(hours="10.55"), "au plus une décimale"),
        (body(lines=()), "Indiquez au moins une ligne de participants"),
        (body(lines=(("eaje", "99", 3),)), "département inconnu « 99 »"),
        (body(lines=(("eaje", "35", 0),)), "au moins 1"),
        (body(lines=(("eaje", "35", 3), ("eaje", "35", 2))), "figure deux fois"),
    ],
)
def test_bad_bilans_are_refused_in_french(api_client, member, ended, payload, message):
    api_client.force_authenticate(member)
    response = api_client.put(f"{URL}{ended.pk}/", payload, format="json")
    assert response.status_code == 400 and message in str(response.json())
    assert not SessionReport.objects.exists()


def test_an_unknown_audience_names_the_accepted_values(api_client, member, ended):
    api_client.force_authenticate(member)
    response = api_client.put(f"{URL}{ended.pk}/", body(lines=(("lune", "35", 3),)), format="json")
    assert response.status_code == 400 and "Valeurs possibles" in str(response.json()["lignes"])


def test_no_bilan_before_the_session_ends(api_client, member, offer):
    running = ended_session(offer, days_ago=0)
    api_client.force_authenticate(member)
    response = api_client.put(f"{URL}{running.pk}/", body(), format="json")
    assert response.status_code == 400 and "La session se termine le" in str(response.json())
    assert not SessionReport.objects.exists()


def test_other_organisations_sessions_are_refused_or_hidden(api_client, ended):
    toulouse = TrainingOrganisationFactory(commune=Commune.objects.get(insee_code="31555"), activity_number="76310000031")
    hidden = ended_session(OfferFactory(organisation=toulouse, state=OfferState.SUBMITTED))
    outsider = member_of(toulouse)
    api_client.force_authenticate(outsider)
    refused = api_client.put(f"{URL}{ended.pk}/", body(), format="json")
    assert refused.status_code == 403 and "Seuls les membres" in refused.json()["detail"]
    api_client.force_authenticate(UserFactory())
    assert api_client.put(f"{URL}{hidden.pk}/", body(), format="json").status_code == 404
    assert api_client.get(f"{URL}{hidden.pk}/").status_code == 404
    assert api_client.put(f"{URL}999999/", body(), format="json").status_code == 404
    assert not SessionReport.objects.exists()
    api_client.logout()
    assert api_client.put(f"{URL}{ended.pk}/", body(), format="json").status_code == 401
