"""Who the registry tells, and where it sends them: the moderators of the entry's territory
of a new registration, its members of each decision (who already get its e-mail), of the
yearly review, the author of an import. Nobody else, nobody twice, nothing on a rollback."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, user_with_role
from tests.registry.factories import EntryFactory
from tests.registry.test_import_worker import job_of
from tpj.accounts.models import Role
from tpj.notifications.models import Notification
from tpj.outbox.models import OutgoingEmail
from tpj.registry import importer
from tpj.registry.emails import MODERATION_DECISION, REVIEW_REQUEST
from tpj.registry.models import Entry, ReviewState, State
from tpj.registry.services import review
from tpj.registry.services.moderation import moderate, submit

from .conftest import emails_by_address, last_email_pk, nothing_written, told

pytestmark = pytest.mark.django_db


class Abort(Exception):
    pass


@pytest.fixture
def member():
    return UserFactory(email="membre@example.fr")


@pytest.fixture
def moderators():
    """Moderators of Rennes' entries (département 35, région Bretagne, national), and one of the Rhône."""
    return {
        "35": user_with_role(Role.MODERATOR, departements=["35"], email="moderateur35@example.fr"),
        "53": user_with_role(Role.MODERATOR, region="53", email="moderateur53@example.fr"),
        "national": user_with_role(Role.MODERATOR, email="moderateur-national@example.fr"),
        "69": user_with_role(Role.MODERATOR, departements=["69"], email="moderateur69@example.fr"),
    }


def draft(member, **kwargs):
    return EntryFactory(state=State.DRAFT, setup__members=[member], **kwargs)


def test_the_moderators_of_the_territory_are_told_of_a_new_registration(member, moderators):
    entry = draft(member)
    submit(entry, member)

    notified = told("registry.submit")
    assert set(notified) == {moderators["35"], moderators["53"], moderators["national"]}  # not the Rhône's
    for notification in notified.values():
        assert notification.url == reverse("registry:moderate", args=[entry.pk])
        assert entry.name in notification.title and notification.actor == member
    assert member not in notified  # the member who submitted
    emails = emails_by_address()
    assert emails == {"moderateur35@example.fr": 1, "moderateur53@example.fr": 1, "moderateur-national@example.fr": 1}


def test_a_moderator_who_is_a_member_of_the_entry_is_not_told():
    moderator = user_with_role(Role.MODERATOR, departements=["35"])
    colleague = UserFactory()
    entry = EntryFactory(state=State.DRAFT, setup__members=[moderator, colleague])
    submit(entry, colleague)
    assert told("registry.submit") == {}  # they may not moderate their own entry
    assert not OutgoingEmail.objects.exists()


def test_the_members_are_told_of_a_decision_and_e_mailed_once(member, moderators):
    colleague = UserFactory(email="collegue@example.fr")
    entry = EntryFactory(state=State.SUBMITTED, setup__members=[member, colleague])
    moderate(entry, "request_changes", moderators["35"], "Ajoutez le justificatif.")

    notified = told("registry.request_changes")
    assert set(notified) == {member, colleague}
    assert {n.url for n in notified.values()} == {reverse("registry:edit", args=[entry.pk])}
    assert {n.body for n in notified.values()} == {"Ajoutez le justificatif."}
    # one e-mail each: the decision's own (with its reason), not a second one for the notification
    assert emails_by_address() == {"membre@example.fr": 1, "collegue@example.fr": 1}
    assert OutgoingEmail.objects.get().purpose == MODERATION_DECISION
    assert moderators["35"] not in notified


@pytest.mark.parametrize(
    ("move", "state", "page"),
    [
        ("verify", State.SUBMITTED, "registry:entry"),
        ("reject", State.SUBMITTED, "registry:edit"),
        ("suspend", State.VERIFIED, "registry:edit"),
        ("reinstate", State.SUSPENDED, "registry:entry"),
    ],
)
def test_each_decision_sends_the_members_to_their_page(member, moderators, move, state, page):
    entry = EntryFactory(state=state, setup__members=[member])
    moderate(entry, move, moderators["53"], "Motif.")
    (notification,) = Notification.objects.filter(kind=f"registry.{move}")
    assert notification.recipient == member and notification.url == reverse(page, args=[entry.pk])
    assert emails_by_address() == {"membre@example.fr": 1}


def test_a_rolled_back_submission_leaves_no_notification_and_no_e_mail(member, moderators):
    entry = draft(member)
    with pytest.raises(Abort), transaction.atomic():
        submit(entry, member)
        assert Notification.objects.exists()  # written in the submission's transaction
        raise Abort
    assert nothing_written()


def test_the_review_request_keeps_its_personal_e_mail_and_is_also_in_the_platform(member):
    entry = EntryFactory(state=State.VERIFIED, verified_at=timezone.now() - datetime.timedelta(days=400), setup__members=[member])
    assert review.request_confirmations() == 1

    (notification,) = told("registry.review.request_confirmation").values()
    assert notification.recipient == member
    assert notification.url == reverse("registry:entry", args=[entry.pk]) + "#confirmation"  # its « Je confirme »
    (message,) = OutgoingEmail.objects.all()  # one e-mail: the request with its one-click link
    assert message.purpose == REVIEW_REQUEST and "/annuaire/confirmer/" in message.body


def test_the_members_are_told_when_their_entry_is_proposed_for_suspension(member, moderators):
    entry = EntryFactory(state=State.VERIFIED, verified_at=timezone.now(), setup__members=[member])
    Entry.objects.filter(pk=entry.pk).update(
        review_state=ReviewState.REQUESTED, review_requested_at=timezone.now() - datetime.timedelta(days=40)
    )
    assert review.propose_suspensions() == 1

    notified = told("registry.review.propose_suspension")
    assert list(notified) == [member]  # the moderators hear of it in their daily digest
    assert notified[member].url == reverse("registry:entry", args=[entry.pk]) + "#confirmation"
    assert emails_by_address() == {"membre@example.fr": 1}


def test_the_author_of_an_import_is_told_when_it_ends():
    author = user_with_role(Role.MODERATOR, departements=["69"])
    other = user_with_role(Role.MODERATOR, departements=["69"])
    job = job_of(author, count=4, chunk_size=2, bad_every=3)
    since = last_email_pk()
    importer.queue_job(job)  # run at once by the tests' queue

    notified = told("registry.import_finished")
    assert list(notified) == [author] and other not in notified
    assert notified[author].url == reverse("registry:import-job", args=[job.pk])
    assert "2 fiches créées" in notified[author].title and "2 lignes en erreur" in notified[author].title
    assert emails_by_address(since) == {author.email: 1}
