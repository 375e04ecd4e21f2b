"""The yearly « votre fiche est-elle toujours exacte ? » review, and the moderators' digest."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, user_with_role
from tests.registry.factories import EntryFactory, verified_entry
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.notifications.emails import IMMEDIATE
from tpj.notifications.models import Notification
from tpj.outbox.models import OutgoingEmail
from tpj.registry.emails import MODERATION_DECISION, REVIEW_REQUEST
from tpj.registry.models import Entry, ReviewState, State
from tpj.registry.notification_kinds import AGEING_DIGEST
from tpj.registry.services import ageing, review

pytestmark = pytest.mark.django_db

A_YEAR_AGO = datetime.timedelta(days=400)


@pytest.fixture
def member():
    return UserFactory(email="membre@example.fr")


@pytest.fixture
def moderator():
    return user_with_role(Role.MODERATOR, departements=["35"], email="moderateur35@example.fr")


def old_entry(member, **kwargs):
    return EntryFactory(state=State.VERIFIED, verified_at=timezone.now() - A_YEAR_AGO, setup__members=[member], **kwargs)


def confirm_link(message) -> str:
    return re.search(r"https?://\S+/annuaire/confirmer/\S+/", message.body).group(0)


def test_members_of_entries_verified_a_year_ago_are_asked_once(member):
    due = old_entry(member, name="Crèche des Lutins")
    verified_entry(setup__members=[member])  # verified today: not yet
    EntryFactory(state=State.VERIFIED, verified_at=timezone.now() - A_YEAR_AGO)  # no member to ask

    assert review.request_confirmations() == 1
    assert review.request_confirmations() == 0  # a second run asks nobody again
    (message,) = OutgoingEmail.objects.filter(purpose=REVIEW_REQUEST)
    assert message.recipients == [member.email]
    assert "Crèche des Lutins" in message.subject
    due.refresh_from_db()
    assert due.review_state == ReviewState.REQUESTED and due.is_published
    event = AuditEvent.objects.for_object(due).get(action="registry.review.request_confirmation")
    assert event.actor_label == "système"
    assert event.to_state_label == "Confirmation d'exactitude demandée"


def test_the_link_confirms_in_one_click_and_a_preview_changes_nothing(client, member):
    entry = old_entry(member)
    review.request_confirmations()
    link = confirm_link(OutgoingEmail.objects.get(purpose=REVIEW_REQUEST))
    path = link[link.index("/annuaire/") :]

    page = client.get(path)
    assert "Je confirme que ma fiche est exacte" in page.content.decode()
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.REQUESTED

    page = client.post(path)
    assert "est confirmée pour un an" in page.content.decode()
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.CURRENT and entry.reviewed_at is not None
    assert AuditEvent.objects.for_object(entry).get(action="registry.review.confirm").actor == member
    assert review.request_confirmations() == 0  # confirmed: not asked again this year
    assert client.get(path[:-5] + "xxxx/").status_code == 400  # a forged link


def test_a_signed_in_member_confirms_from_the_entry_page(client, member):
    entry = old_entry(member)
    review.request_confirmations()
    client.force_login(member)
    assert "Je confirme que ma fiche est exacte" in client.get(reverse("registry:entry", args=[entry.pk])).content.decode()
    client.post(reverse("registry:review-confirm-member", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.CURRENT


def test_no_answer_proposes_the_suspension_and_only_a_moderator_suspends(client, member, moderator):
    entry = old_entry(member)
    review.request_confirmations()
    assert review.propose_suspensions() == 0  # the members have 30 days
    later = timezone.now() + datetime.timedelta(days=31)
    assert review.propose_suspensions(later) == 1
    assert review.propose_suspensions(later) == 0
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.SUSPENSION_PROPOSED
    assert Entry.objects.published().filter(pk=entry.pk).exists()  # still on the map

    outsider = user_with_role(Role.MODERATOR, departements=["69"])
    client.force_login(outsider)
    assert entry.name not in client.get(reverse("registry:review-queue")).content.decode()
    client.post(reverse("registry:review-queue"), {"entry": entry.pk, "decision": "suspend"})
    entry.refresh_from_db()
    assert entry.state == State.VERIFIED  # not in the outsider's territory: nothing happens

    client.force_login(moderator)
    assert entry.name in client.get(reverse("registry:review-queue")).content.decode()
    response = client.post(
        reverse("registry:review-queue"), {"entry": entry.pk, "decision": "suspend", "reason": "Fiche sans réponse."}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == State.SUSPENDED and entry.review_state == ReviewState.LAPSED
    assert not Entry.objects.published().filter(pk=entry.pk).exists()
    event = AuditEvent.objects.for_object(entry).get(action="registry.review.confirm_suspension")
    assert (event.actor, event.reason) == (moderator, "Fiche sans réponse.")
    assert AuditEvent.objects.for_object(entry).filter(action="registry.suspend", actor=moderator).exists()
    (told,) = OutgoingEmail.objects.filter(purpose=MODERATION_DECISION)
    assert told.recipients == [member.email] and "Fiche sans réponse." in told.body

    # The member who opens the year's link afterwards is told the entry is suspended, and how to
    # have it reinstated — not that it is up to date.
    link = confirm_link(OutgoingEmail.objects.get(purpose=REVIEW_REQUEST))
    page = Client().get(link[link.index("/annuaire/") :]).content.decode()
    assert "est suspendue" in page and "à jour." not in page


def test_a_moderator_may_keep_the_entry_published(client, member, moderator):
    entry = old_entry(member)
    review.request_confirmations()
    review.propose_suspensions(timezone.now() + datetime.timedelta(days=31))
    client.force_login(moderator)
    client.post(reverse("registry:review-queue"), {"entry": entry.pk, "decision": "keep"})
    entry.refresh_from_db()
    assert entry.state == State.VERIFIED and entry.review_state == ReviewState.CURRENT
    assert AuditEvent.objects.for_object(entry).get(action="registry.review.keep").actor == moderator


def test_moderators_get_one_digest_a_day_of_entries_waiting_too_long(moderator, member):
    old = EntryFactory(state=State.SUBMITTED, name="Relais ancien", submitted_at=timezone.now() - datetime.timedelta(days=10))
    EntryFactory(state=State.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=2))  # recent
    elsewhere = user_with_role(Role.MODERATOR, departements=["69"])

    assert ageing.send_ageing_digests() == 1
    assert ageing.send_ageing_digests() == 0  # the same day
    # The digest is a notification of the moderator, e-mailed at once by default.
    (told,) = Notification.objects.filter(kind=AGEING_DIGEST)
    assert told.recipient == moderator != elsewhere and told.url == reverse("registry:moderation")
    (message,) = OutgoingEmail.objects.filter(purpose=IMMEDIATE)
    assert message.recipients == [moderator.email]
    assert "1 fiche en attente depuis plus de 7 jours" in message.subject
    assert old.name in message.body and "il y a 10 jours" in message.body
    assert ageing.send_ageing_digests(timezone.now() + datetime.timedelta(days=1)) == 1  # the next day
