"""The page as a whole: one section per role held, the latest unread notifications, the
shortcuts the policy allows, and a number of queries that does not grow with the data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.calls.factories import applicant, decidable, decided_call, make_call, manager, submitted_application
from tests.factories import RoleAssignmentFactory, UserFactory, user_with_role
from tests.registry.factories import EntryFactory
from tests.workspace.helpers import has_section, page_text, section
from tpj.accounts.models import Role, ScopeLevel
from tpj.calls.models import JuryMember
from tpj.calls.services.jury import add_jury_member, assign
from tpj.notifications.kinds import Delivery
from tpj.notifications.models import Notification
from tpj.registry.models import State

pytestmark = pytest.mark.django_db


def test_a_moderator_who_also_manages_calls_sees_both_sections(client):
    person = manager("ARS", "53")
    RoleAssignmentFactory(user=person, role=Role.MODERATOR, scope_level=ScopeLevel.REGION, region_id="53")
    EntryFactory(state=State.SUBMITTED, submitted_at=timezone.now())
    call = make_call(by=person)
    submitted_application(call)
    client.force_login(person)

    response = client.get("/mon-espace/")

    assert "1 fiche en attente de vérification" in section(response, "moderation")
    assert f"1 candidature à instruire — {call.title}" in section(response, "appels")
    # A summary leads to each section.
    text = page_text(response)
    assert 'href="#moderation"' in text and 'href="#appels"' in text
    assert not has_section(response, "national") and not has_section(response, "fiches")


def _notification(user, title, minutes_ago, read=False):
    notification = Notification.objects.create(
        recipient=user, kind="test", title=title, url="/annuaire/", delivery=Delivery.PLATFORM
    )
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        read_at=timezone.now() if read else None,
    )
    return notification


def test_the_five_latest_unread_notifications_are_shown_with_the_unread_count(client):
    user = UserFactory()
    for minutes in range(1, 8):
        _notification(user, f"Avis n° {minutes}", minutes)
    _notification(user, "Déjà lue", 0, read=True)
    _notification(UserFactory(), "Pour quelqu'un d'autre", 0)
    client.force_login(user)

    text = page_text(client.get("/mon-espace/"))

    assert "7 non lues" in text
    shown = [f"Avis n° {minutes}" for minutes in range(1, 6)]
    assert all(title in text for title in shown)
    assert text.index("Avis n° 1") < text.index("Avis n° 5")  # the latest first
    assert "Avis n° 6" not in text and "Déjà lue" not in text and "Pour quelqu'un d'autre" not in text
    assert f'href="{reverse("notifications:list")}"' in text


def test_one_unread_notification_is_said_in_the_singular(client):
    user = UserFactory()
    note = _notification(user, "Votre fiche est vérifiée", 3)
    client.force_login(user)
    text = page_text(client.get("/mon-espace/"))
    assert "1 non lue" in text and "1 non lues" not in text
    assert f'href="{reverse("notifications:open", args=[note.pk])}"' in text


def test_shortcuts_follow_the_policy(client):
    client.force_login(UserFactory())
    text = page_text(client.get("/mon-espace/"))
    assert reverse("privacy:my-data") in text and reverse("downloads:list") in text
    assert reverse("audit:log") not in text and reverse("admin:index") not in text

    client.force_login(user_with_role(Role.ADMINISTRATOR))
    text = page_text(client.get("/mon-espace/"))
    assert reverse("audit:log") in text and reverse("admin:index") in text


# -- a bounded number of queries per role, whatever the data ------------------------------------
# (each section costs a fixed number: the professional's pending claims, the national team's
# derogations, the call manager's instruction seats are one query each; the training section's
# check — a plan? a bilan to declare? — one for everybody)


def _queries(client, user, django_assert_max_num_queries, limit):
    client.force_login(user)
    with django_assert_max_num_queries(limit):
        assert client.get("/mon-espace/").status_code == 200


@pytest.mark.parametrize("entries", [1, 12])
def test_moderator_page_queries_do_not_grow_with_the_queue(client, django_assert_max_num_queries, entries):
    moderator = user_with_role(Role.MODERATOR, region="53")
    for _ in range(entries):
        EntryFactory(state=State.SUBMITTED, submitted_at=timezone.now(), setup__priorities=(), setup__situation=False)
    _queries(client, moderator, django_assert_max_num_queries, 17)


@pytest.mark.parametrize("calls", [1, 2])
def test_national_page_queries_do_not_grow_with_the_calls(client, django_assert_max_num_queries, calls):
    for region in ("53", "84")[:calls]:
        submitted_application(make_call(region=region))
    _queries(client, user_with_role(Role.NATIONAL_TEAM), django_assert_max_num_queries, 20)


def test_call_manager_page_queries_are_bounded(client, django_assert_max_num_queries):
    call, _ = decidable()
    juror = user_with_role(Role.JURY_MEMBER, region="53")
    add_jury_member(call, call.manager, juror, JuryMember.Kind.EXPERT)
    assign(call, call.manager)
    _queries(client, call.manager, django_assert_max_num_queries, 21)


def test_juror_page_queries_are_bounded(client, django_assert_max_num_queries):
    call, _ = decidable()
    juror = user_with_role(Role.JURY_MEMBER, region="53")
    add_jury_member(call, call.manager, juror, JuryMember.Kind.EXPERT)
    assign(call, call.manager)
    _queries(client, juror, django_assert_max_num_queries, 15)


def test_applicant_and_professional_page_queries_are_bounded(client, django_assert_max_num_queries):
    _, apps = decided_call()
    carrier = apps[0].created_by
    for _ in range(3):
        EntryFactory(state=State.CHANGES_REQUESTED, setup__members=[carrier])
    _queries(client, carrier, django_assert_max_num_queries, 22)
    _queries(client, applicant(), django_assert_max_num_queries, 16)
