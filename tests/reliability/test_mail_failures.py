"""Issue 13 §9, failures nobody sees, as a class: every e-mail of the platform, with a mail
server that refuses it or cannot be reached.

One flow per outbox purpose (FLOWS), driven through the site as its user would: the page
answers without a 5xx, the worker's attempt fails, the message is tried again after its
backoff by the periodic recovery, and after the last attempt it is failed for good: nothing
is recorded as sent or notified, nothing is lost (the row keeps it), and the staff
concerned see it on their page (the call's decisions page, the entry's moderation page, the
administration). Once the server works again, `send_outbox --retry-failed` sends it and the
notified state appears. The scheduled reminders (SCHEDULED) have no request: their flow
writes the message as their job does, and the administration lists its failure. A purpose
declared without a flow here fails test_every_purpose_has_a_flow.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.calls.factories import applicant, content, decidable, decided_call, make_call, submitted_application
from tests.factories import UserFactory, user_with_role
from tests.outbox.backends import REFUSING, UNREACHABLE, WORKING
from tests.registry.factories import EntryFactory
from tests.responses import close_response
from tpj.accounts.models import Role
from tpj.calls.services.applications import create_application
from tpj.calls.services.decisions import decide
from tpj.calls.workflows import CALL_WORKFLOW
from tpj.notifications import services as notifications
from tpj.notifications.kinds import Delivery
from tpj.notifications.models import Notification, NotificationPreference
from tpj.outbox import purposes
from tpj.outbox import services as outbox
from tpj.outbox.models import OutgoingEmail
from tpj.outbox.tasks import recover_outbox
from tpj.registry.models import State

pytestmark = pytest.mark.django_db

ADMIN_FAILURES = "/admin/outbox/outgoingemail/?status__exact=failed"


@dataclass
class Flow:
    """What one e-mail's flow left behind: who receives it, who sees its failure where, and
    how to tell that it was recorded as sent."""

    recipient: str
    staff: object  # the user whose page lists the failure
    staff_page: str
    delivered: object = None  # () -> bool: the state the sending records (notified…), if any


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _administrator():
    return user_with_role(Role.ADMINISTRATOR, email="admin@courriels.example", is_staff=True)


# --- one flow per purpose: (the request that causes the e-mail) -> Flow ----------------------


def sign_up(post):
    email = "nouvelle@courriels.example"
    data = {
        "email": email,
        "first_name": "Claire",
        "last_name": "Dupont",
        "password1": "x-Mot-de-passe-42",
        "password2": "x-Mot-de-passe-42",
    }
    post(_client(), reverse("accounts:signup"), data)
    return Flow(email, _administrator(), ADMIN_FAILURES)


def sign_up_existing(post):
    owner = UserFactory(email="claire@courriels.example")
    data = {
        "email": owner.email,
        "first_name": "C",
        "last_name": "D",
        "password1": "x-Mot-de-passe-42",
        "password2": "x-Mot-de-passe-42",
    }
    post(_client(), reverse("accounts:signup"), data)
    return Flow(owner.email, _administrator(), ADMIN_FAILURES)


def password_reset(post):
    owner = UserFactory(email="oubli@courriels.example")
    post(_client(), reverse("accounts:password-reset"), {"email": owner.email})
    return Flow(owner.email, _administrator(), ADMIN_FAILURES)


def moderation_decision(post):
    member = UserFactory(email="membre@courriels.example")
    moderator = user_with_role(Role.MODERATOR, departements=["35"], email="moderateur@courriels.example")
    entry = EntryFactory(state=State.SUBMITTED, setup__members=[member])
    post(
        _client(moderator),
        reverse("registry:moderate", args=[entry.pk]),
        {"transition": "reject", "reason": "Justificatif illisible."},
    )
    return Flow(member.email, moderator, reverse("registry:moderate", args=[entry.pk]))


def member_invitation(post):
    member = UserFactory(email="membre@courriels.example")
    entry = EntryFactory(setup__members=[member])
    email = "invitee@courriels.example"  # no account: invited by e-mail (sensitive: a personal link)
    post(_client(member), reverse("registry:members", args=[entry.pk]), {"email": email})
    return Flow(email, _administrator(), ADMIN_FAILURES)


def receipt(post):
    call = make_call(strand="ars")
    carrier = applicant()
    app, _ = create_application(carrier, call, content(call))
    post(_client(carrier), reverse("calls:application-action", args=[app.pk, "submit"]), {"confirm": "1"})
    return Flow(carrier.email, call.manager, reverse("calls:allocation", args=[call.pk]))


def information_request(post):
    call = make_call(strand="ars")
    app = submitted_application(call)
    data = {"reason": "Joignez le budget signé."}
    post(_client(call.manager), reverse("calls:application-action", args=[app.pk, "request_info"]), data)
    return Flow(app.created_by.email, call.manager, reverse("calls:allocation", args=[call.pk]))


def decision_letter(post):
    call, apps = decidable()
    app = decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", {"ARS": Decimal("40000"), "DREETS": Decimal("40000")})
    for other in apps[2:]:
        decide(other, call.manager, "rejected", "Moins prioritaire")
    CALL_WORKFLOW.fire(call, "decide_laureates", call.manager)
    post(_client(call.manager), reverse("calls:notify", args=[call.pk]), {"confirm": "1"})
    carrier = _client(app.created_by)
    letter = reverse("calls:decision-letter", args=[app.pk])

    def notified():
        app.refresh_from_db()
        response = carrier.get(letter)
        close_response(response)  # the issued letter is streamed from the storage
        return app.notified_at is not None and response.status_code == 200

    return Flow(app.created_by.email, call.manager, reverse("calls:allocation", args=[call.pk]), notified)


def convention(post):
    """The manager has the convention drawn: the worker draws it and e-mails it to the carrier."""
    call, apps = decided_call()
    app = apps[0]
    deadline = timezone.localdate() + timedelta(days=30)
    data = {
        "signature_deadline": deadline.isoformat(),
        "echeances-TOTAL_FORMS": "2",
        "echeances-INITIAL_FORMS": "0",
        "echeances-MIN_NUM_FORMS": "0",
        "echeances-MAX_NUM_FORMS": "12",
        "echeances-0-label": "À la signature",
        "echeances-0-percent": "100",
        "rediger": "1",
        "confirm": "1",  # drawing the convention is confirmed first
    }
    post(_client(call.manager), reverse("calls:convention-action", args=[app.pk, "echeancier"]), data)
    return Flow(app.created_by.email, _administrator(), ADMIN_FAILURES)


def notification(post):
    """A professional submits an entry: the moderator in scope is e-mailed at once (the default)."""
    member = UserFactory(email="membre@courriels.example")
    moderator = user_with_role(Role.MODERATOR, departements=["35"], email="moderateur@courriels.example")
    entry = EntryFactory(state=State.DRAFT, setup__members=[member])
    post(_client(member), reverse("registry:submit", args=[entry.pk]), {})
    told = Notification.objects.get(recipient=moderator, kind="registry.submit")
    return Flow(moderator.email, _administrator(), ADMIN_FAILURES, lambda: _emailed(told))


def daily_digest(post):
    """The 07:00 job writes the digest of a person who chose it for moderation decisions."""
    member = UserFactory(email="membre@courriels.example")
    NotificationPreference.objects.create(user=member, kind="registry.verify", delivery=Delivery.DAILY)
    moderator = user_with_role(Role.MODERATOR, departements=["35"], email="moderateur@courriels.example")
    entry = EntryFactory(state=State.SUBMITTED, setup__members=[member])
    post(_client(moderator), reverse("registry:moderate", args=[entry.pk]), {"transition": "verify"})
    told = Notification.objects.get(recipient=member, kind="registry.verify")
    with post.capture(execute=True):  # the job's transaction commits
        notifications.send_daily_digests()
    return Flow(member.email, _administrator(), ADMIN_FAILURES, lambda: _emailed(told))


def _emailed(notification) -> bool:
    notification.refresh_from_db()
    return notification.emailed_at is not None


def scheduled(purpose):
    """A scheduled reminder: written by its job (no request), its failure listed in the administration."""

    def flow(post):
        recipient = "rappel@courriels.example"
        with post.capture(execute=True):  # the job's transaction commits
            outbox.enqueue(purpose, to=recipient, subject="Rappel", body="Texte du rappel")
        return Flow(recipient, _administrator(), ADMIN_FAILURES)

    return flow


FLOWS = {
    "accounts.confirmation": sign_up,
    "accounts.existing_account": sign_up_existing,
    "accounts.password_reset": password_reset,
    "registry.moderation_decision": moderation_decision,
    "registry.member_invitation": member_invitation,
    "calls.receipt": receipt,
    "calls.information_request": information_request,
    "calls.decision_letter": decision_letter,
    "calls.convention": convention,
    "notifications.immediate": notification,
    "notifications.daily_digest": daily_digest,
}
SCHEDULED = {
    "calls.deadline_reminder",
    "calls.draft_reminder",
    "calls.jury_reminder",
    "registry.review_request",
    "registry.moderation_ageing",
}
DECLARED = {p.key for p in purposes.all_purposes()}
FLOWS.update({key: scheduled(key) for key in sorted(SCHEDULED & DECLARED)})


def test_every_purpose_has_a_flow():
    assert set(FLOWS) == DECLARED, "Each e-mail purpose needs its failure flow in FLOWS: " + ", ".join(DECLARED ^ set(FLOWS))


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST as the user would, the transaction's commit callbacks run (the outbox dispatches then)."""
    responses = []

    def run(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        responses.append(response)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        return response

    run.responses = responses
    run.capture = django_capture_on_commit_callbacks
    return run


def _retries_run_out(django_capture_on_commit_callbacks):
    """Time passes and the workers' periodic recovery tries each waiting message again, until
    none waits (OUTBOX_MAX_ATTEMPTS bounds it)."""
    for _ in range(10):  # OUTBOX_MAX_ATTEMPTS is 3 in these tests: a loop that goes on is a defect
        if not OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING).exists():
            return
        # A day passes: backoffs and leases (of a task queued by a factory, outside any captured
        # commit, hence never run) are over.
        OutgoingEmail.objects.update(
            next_attempt_at=F("next_attempt_at") - timedelta(days=1), claimed_until=F("claimed_until") - timedelta(days=1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            recover_outbox()
    waiting = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
    raise AssertionError(f"messages still waiting after 10 recoveries: {list(waiting.values())}")


@pytest.mark.parametrize("backend", [REFUSING, UNREACHABLE], ids=["refusing", "unreachable"])
@pytest.mark.parametrize("purpose", sorted(FLOWS))
def test_a_failed_email_is_never_recorded_as_sent_and_staff_see_it(
    purpose, backend, post, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = backend
    settings.OUTBOX_MAX_ATTEMPTS = 3
    flow = FLOWS[purpose](post)

    message = _message(purpose, flow)
    assert message.status == OutgoingEmail.Status.PENDING and message.attempts == 1  # to be tried again
    assert f'name="resend" value="{message.pk}"' not in _client(flow.staff).get(flow.staff_page).content.decode()
    _retries_run_out(django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.FAILED and message.attempts == 3 and message.sent_at is None
    assert message.last_error.startswith("Le serveur d'envoi") and "renvoyez-le" in message.last_error.lower()  # what to do
    assert mail.outbox == []
    if flow.delivered:
        assert not flow.delivered(), "recorded as notified although the e-mail was not sent"

    page = _client(flow.staff).get(flow.staff_page)
    assert page.status_code == 200
    text = page.content.decode()
    assert escape(message.purpose_label) in text and flow.recipient in text, f"the failure is not shown on {flow.staff_page}"
    if flow.staff_page != ADMIN_FAILURES:
        assert "Envoi en échec" in text and f'name="resend" value="{message.pk}"' in text  # « Renvoyer » button
        shown = text.count('name="resend"')
        title = "1 courriel n'a pas pu être envoyé" if shown == 1 else f"{shown} courriels n'ont pas pu être envoyés"
        assert escape(title) in text  # the count, with its French plural

    settings.EMAIL_BACKEND = WORKING
    call_command("send_outbox", "--retry-failed")
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 4
    assert [flow.recipient] in [m.to for m in mail.outbox]
    if flow.delivered:
        assert flow.delivered(), "sent, but the notified state did not follow"
    text = _client(flow.staff).get(flow.staff_page).content.decode()
    assert f'name="resend" value="{message.pk}"' not in text and (flow.staff_page != ADMIN_FAILURES or flow.recipient not in text)


# --- « Renvoyer » on the staff pages: the staff concerned only -------------------------------


@pytest.mark.parametrize(
    "purpose, outsider",
    [
        ("calls.decision_letter", lambda: user_with_role(Role.CALL_MANAGER, region="76", email="autre@courriels.example")),
        (
            "registry.moderation_decision",
            lambda: user_with_role(Role.MODERATOR, departements=["69"], email="autre@courriels.example"),
        ),
    ],
)
def test_renvoyer_sends_a_failed_email_again_for_the_staff_concerned_only(purpose, outsider, post, settings):
    settings.EMAIL_BACKEND = REFUSING
    settings.OUTBOX_MAX_ATTEMPTS = 1
    flow = FLOWS[purpose](post)
    message = _message(purpose, flow)
    settings.EMAIL_BACKEND = WORKING
    url = reverse("calls:notify", args=[_call_of(flow)]) if purpose.startswith("calls.") else flow.staff_page

    refused = post(_client(outsider()), url, {"resend": message.pk})
    assert refused.status_code == 403
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.FAILED and mail.outbox == []

    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(flow.staff)
    assert csrf.post(url, {"resend": message.pk}).status_code == 403  # the form's CSRF token is required

    done = post(_client(flow.staff), url, {"resend": message.pk})
    assert done.status_code == 302
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and [m.to for m in mail.outbox] == [[flow.recipient]]
    if flow.delivered:
        assert flow.delivered()
    again = post(_client(flow.staff), url, {"resend": message.pk})  # sent meanwhile: a French message, no second e-mail
    assert again.status_code == 302 and len(mail.outbox) == 1


def _message(purpose, flow) -> OutgoingEmail:
    (message,) = [m for m in OutgoingEmail.objects.filter(purpose=purpose) if flow.recipient in m.recipients]
    return message


def _call_of(flow):
    return int(flow.staff_page.rstrip("/").split("/")[-2])
