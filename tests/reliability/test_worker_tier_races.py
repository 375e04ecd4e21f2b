"""Check-then-write races on the worker tier's web endpoints (issue 15), on PostgreSQL.

The worker tier added state-changing pages outside the API (`test_races.py` races the API):
the registry import, « Préparer le fichier », the yearly review (« Je confirme » on the
entry's page, the e-mail's signed link, the moderators' review queue), the calls'
« Notifier les décisions » and « Renvoyer », and the outbox's « Renvoyer » admin action.
Each is sent PARALLEL times at the same instant (a barrier), identical or contradictory,
each request in its own thread and database connection (Django's test client, as the web
forms of `test_races.py`: the live server is threaded; `make scale-check` covers gunicorn
with several processes). Tests queue tasks immediately (HUEY immediate): the task a
request queues on commit runs in that request's thread, so the workers race too.

Whatever the interleaving: no 5xx, the rules hold, and one consistent end state — one job
per upload or request (the services promise no deduplication), each built once; one
outcome of the yearly review with one transition in the audit log; one decision letter per
decision and one e-mail per message.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.calls.factories import decided_call, manager
from tests.concurrency import CONCURRENT_ON_POSTGRES
from tests.factories import UserFactory, user_with_role
from tests.registry.factories import EntryFactory, verified_entry
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent

pytestmark = CONCURRENT_ON_POSTGRES
PARALLEL = 8


def fire(requests_: list) -> list[tuple[int, str]]:
    """Send the requests at the same instant. Each is (user or None, fn(client) -> response),
    run with its own client and database connection; returns (status, page) per request."""
    barrier = threading.Barrier(len(requests_))

    def one(item):
        user, send = item
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        barrier.wait()
        try:
            response = send(client)
            return response.status_code, response.content.decode() if not response.streaming else ""
        finally:
            connection.close()

    with ThreadPoolExecutor(len(requests_)) as pool:
        return list(pool.map(one, requests_))


def post(path, data=None, **extra):
    return lambda client: client.post(path, data or {}, **extra)


def no_server_error(results):
    statuses = [s for s, _ in results]
    assert not [s for s in statuses if s >= 500], statuses
    return statuses


def events(obj, action) -> int:
    return AuditEvent.objects.for_object(obj).filter(action=action).count()


# --- the registry import: parallel identical uploads ---------------------------------------------

HEADER = (
    "identifiant;nom;type;categorie;adresse;code_postal;commune;priorites;description;situation;organisme;"
    "type_organisme;type_reference;reference;email;telephone;contacts_publics"
)
ROW = "RPE-{0};Relais Petite Enfance n° {0};etablissement;rpe;;69200;69259;8|9;Ateliers;2;CAF du Rhône;securite_sociale;convention;CONV-{0};;;non"
BAD_ROW = "RPE-{0};;etablissement;rpe;;69200;69259;8;;2;CAF;securite_sociale;convention;CONV-{0};;;non"  # no name


def test_identical_uploads_at_once_are_each_a_job_and_import_every_row_once():
    """Eight moderators' tabs upload one file of one source at once (double clicks): eight
    jobs, each run to its end by the workers at the first go; every row is imported once (the others say
    « déjà présente »), refused rows are refused by every job, nothing is lost."""
    from tpj.registry.models import Entry, ImportJob

    moderators = [user_with_role(Role.MODERATOR, departements=["69"]) for _ in range(2)]
    rows = 2500  # two chunks per job: the first is small (importer.FIRST_CHUNK_SIZE)
    lines = [(BAD_ROW if i % 100 == 0 else ROW).format(i) for i in range(rows)]
    content = "\n".join([HEADER, *lines]).encode()
    refused = rows // 100

    def upload(client):
        file = SimpleUploadedFile("rpe.csv", content, content_type="text/csv")
        return client.post(reverse("registry:import"), {"source": "CAF du Rhône", "file": file})

    results = fire([(moderators[i % 2], upload) for i in range(PARALLEL)])
    statuses = no_server_error(results)
    assert statuses == [302] * PARALLEL, results
    jobs = ImportJob.objects.order_by("pk")
    assert jobs.count() == PARALLEL

    # Chunks of one source are written one at a time: every job ran to its end on its first
    # run, none stopped on another job's rows to wait for the periodic recovery.
    assert set(jobs.values_list("status", flat=True)) == {ImportJob.Status.DONE}, list(jobs.values("pk", "status", "message"))

    imported = Entry.objects.filter(import_source="CAF du Rhône")
    assert imported.count() == rows - refused
    assert imported.order_by().values("external_id").distinct().count() == rows - refused
    assert sum(jobs.values_list("created_count", flat=True)) == rows - refused
    for job in jobs:
        assert (job.next_row, job.error_count) == (rows, refused), job.pk
        assert job.created_count + job.updated_count == rows - refused, job.pk
        assert events(job, "registry.import_created") == 1 and events(job, "registry.import_done") == 1
        assert job.attempts == 0, job.pk  # no claim given back: never stopped, never retried


# --- « Préparer le fichier » ------------------------------------------------------------------


def test_prepare_the_file_at_once_makes_one_job_per_request_each_built_once():
    """Eight « Préparer le fichier » at once (the directory's and a call's history, by their
    users): request_export saves a job per request (no deduplication is promised), and each
    job is built once, whole, by one worker: one file, one « ready » in the audit log."""
    from tests.calls.factories import make_call, submitted_application
    from tpj.downloads.models import ExportJob

    for _ in range(3):
        verified_entry()
    reader = UserFactory()
    call = make_call()
    submitted_application(call)
    prepare = reverse("downloads:prepare")
    requests_ = [
        (reader, post(prepare, {"kind": "registry.csv"}))
        if i % 2
        else (call.manager, post(f"{prepare}?appel={call.pk}", {"kind": "calls.history"}))
        for i in range(PARALLEL)
    ]

    statuses = no_server_error(fire(requests_))
    assert statuses == [302] * PARALLEL
    jobs = ExportJob.objects.all()
    assert sorted(jobs.values_list("kind", flat=True)) == sorted(["registry.csv", "calls.history"] * (PARALLEL // 2))
    assert set(jobs.values_list("status", "attempts")) == {(ExportJob.Status.READY, 1)}
    assert jobs.filter(requested_by=reader).count() == jobs.filter(requested_by=call.manager).count() == PARALLEL // 2
    assert len({job.file.name for job in jobs}) == PARALLEL
    for kind in ("registry.csv", "calls.history"):  # the same data: the same file each time
        assert jobs.filter(kind=kind).order_by().values("sha256").distinct().count() == 1
    for job in jobs:
        assert default_storage.exists(job.file.name) and default_storage.size(job.file.name) == job.size
        assert events(job, "downloads.requested") == 1 and events(job, "downloads.ready") == 1


# --- the yearly review: « Je confirme », the signed link, the review queue ----------------------


def _entry_under_review(*, proposed: bool):
    """A published entry with two members, asked to confirm a year after its verification —
    and, if `proposed`, left without answer: proposed for suspension in the review queue."""
    from tpj.registry.models import ReviewState, State
    from tpj.registry.services import review

    members = [UserFactory(), UserFactory()]
    entry = EntryFactory(state=State.VERIFIED, verified_at=timezone.now() - timedelta(days=400), setup__members=members)
    assert review.request_confirmations() == 1
    if proposed:
        assert review.propose_suspensions(timezone.now() + timedelta(days=review.answer_days() + 1)) == 1
    entry.refresh_from_db()
    assert entry.review_state == (ReviewState.SUSPENSION_PROPOSED if proposed else ReviewState.REQUESTED)
    return entry, members


def _confirm_on_page(entry):
    return post(reverse("registry:review-confirm-member", args=[entry.pk]), follow=True)


def _confirm_by_link(entry, member):
    from tpj.registry.services import review

    return post(reverse("registry:review-confirm", args=[review.confirmation_token(entry, member)]))


def _review_queue(entry, decision):
    return post(reverse("registry:review-queue"), {"entry": entry.pk, "decision": decision, "reason": "Sans réponse."})


PAGE_CONFIRMED = "Merci : l&#x27;exactitude de votre fiche est confirmée pour un an."
LINK_CONFIRMED = "est confirmée pour un an"


def _won(kind, status, page) -> bool:
    """Whether this request's decision is the one that took effect (each page says so)."""
    if kind == "page":
        return status == 200 and PAGE_CONFIRMED in page
    if kind == "link":
        return status == 200 and LINK_CONFIRMED in page
    return status == 302  # the review queue: back to the list with its success message (400 and the error otherwise)


@pytest.mark.parametrize("first", ["page", "link", "suspend", "keep"])
def test_confirmations_and_the_moderators_decision_at_once_have_one_outcome(first):
    """On an entry proposed for suspension, both members confirm (on the entry's page and by
    the e-mail's link) while two moderators suspend it and keep it, all at once. One decision
    wins; the others are told it was taken; the audit log has one review transition, and a
    suspension (with its e-mails to the members) only if the suspension won."""
    from tpj.outbox.models import OutgoingEmail
    from tpj.registry.emails import MODERATION_DECISION
    from tpj.registry.models import ReviewState, State

    entry, members = _entry_under_review(proposed=True)
    moderators = [user_with_role(Role.MODERATOR, departements=["35"]), user_with_role(Role.MODERATOR, region="53")]
    kinds = ["page", "link", "suspend", "keep"]
    order = [first, *(k for k in kinds if k != first)]
    moves = [order[i % 4] for i in range(PARALLEL)]
    requests_ = []
    for i, kind in enumerate(moves):
        member, moderator = members[i // 4 % 2], moderators[i // 4 % 2]
        if kind == "page":
            requests_.append((member, _confirm_on_page(entry)))
        elif kind == "link":
            requests_.append((None, _confirm_by_link(entry, member)))  # the link signs the member in: no session
        else:
            requests_.append((moderator, _review_queue(entry, kind)))

    results = fire(requests_)
    no_server_error(results)
    winners = [kind for kind, (status, page) in zip(moves, results, strict=True) if _won(kind, status, page)]
    assert len(winners) == 1, list(zip(moves, [s for s, _ in results], strict=True))
    # The others are told what happened instead: the decision taken meanwhile, in French.
    told_members = {
        "page": "Cette fiche a été suspendue" if winners == ["suspend"] else "Aucune confirmation n&#x27;est attendue",
        "link": "est suspendue" if winners == ["suspend"] else "Aucune confirmation n'est attendue",
        "suspend": "impossible : l&#x27;état actuel est",
        "keep": "impossible : l&#x27;état actuel est",
    }
    for kind, (status, page) in zip(moves, results, strict=True):
        if not _won(kind, status, page):
            assert status == (400 if kind in ("suspend", "keep") else 200), (kind, status)
            assert told_members[kind] in page, (kind, winners)
    entry.refresh_from_db()
    review_moves = (
        AuditEvent.objects.for_object(entry)
        .filter(from_state=ReviewState.SUSPENSION_PROPOSED)
        .exclude(action__endswith=".refused")
        .values_list("action", flat=True)
    )
    suspensions = events(entry, "registry.suspend")
    told = OutgoingEmail.objects.for_objects(type(entry).objects.filter(pk=entry.pk)).filter(purpose=MODERATION_DECISION)
    if winners == ["suspend"]:
        assert list(review_moves) == ["registry.review.confirm_suspension"]
        assert (entry.state, entry.review_state, suspensions) == (State.SUSPENDED, ReviewState.LAPSED, 1)
        assert sorted(r for m in told for r in m.recipients) == sorted(m.email for m in members)
    else:
        expected = "registry.review.keep" if winners == ["keep"] else "registry.review.confirm"
        assert list(review_moves) == [expected]
        assert (entry.state, entry.review_state, suspensions) == (State.VERIFIED, ReviewState.CURRENT, 0)
        assert not told.exists()


def test_eight_confirmations_of_one_entry_confirm_it_once():
    """Both members answer the yearly request at once, four times each (the entry's page and
    the e-mail's link): the entry is confirmed once, by one of them."""
    from tpj.registry.models import ReviewState

    entry, members = _entry_under_review(proposed=False)
    requests_ = [
        (members[i % 2], _confirm_on_page(entry)) if i % 4 < 2 else (None, _confirm_by_link(entry, members[i % 2]))
        for i in range(PARALLEL)
    ]
    results = fire(requests_)
    no_server_error(results)
    kinds = ["page" if i % 4 < 2 else "link" for i in range(PARALLEL)]
    assert sum(_won(k, s, p) for k, (s, p) in zip(kinds, results, strict=True)) == 1, [s for s, _ in results]
    assert [s for s, _ in results] == [200] * PARALLEL
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.CURRENT and entry.reviewed_at is not None
    confirmed = AuditEvent.objects.for_object(entry).filter(action="registry.review.confirm")
    assert confirmed.count() == 1 and confirmed.get().actor in members


# --- the calls' decisions: « Notifier les décisions » and « Renvoyer » ---------------------------


def _decided_call():
    """`decided_call()`, without the applications' receipts in the mailbox."""
    call, apps = decided_call()
    mail.outbox.clear()
    return call, apps


def _managers(call):
    """The call's two managers (a joint call: the ARS's and the DREETS's)."""
    from tpj.core import policy

    other = manager("DREETS" if call.manager.organisation.kind == "ars" else "ARS", call.region_id)
    assert policy.check(other, "calls.manage_call", call)
    return [call.manager, other]


def test_notify_the_decisions_at_once_draws_one_letter_per_decision_and_sends_it_once():
    from tpj.calls.emails import DECISION_LETTER
    from tpj.calls.models import DecisionLetter
    from tpj.outbox.models import OutgoingEmail

    call, apps = _decided_call()
    managers = _managers(call)
    notify = reverse("calls:notify", args=[call.pk])

    statuses = no_server_error(fire([(managers[i % 2], post(notify, {"confirm": "1"})) for i in range(PARALLEL)]))
    assert statuses == [302] * PARALLEL
    letters = DecisionLetter.objects.filter(application__call=call)
    assert sorted(letters.values_list("application_id", flat=True)) == sorted(a.pk for a in apps)
    assert set(letters.values_list("state", "attempts")) == {(DecisionLetter.State.ISSUED, 1)}
    assert sorted(tuple(m.to) for m in mail.outbox) == sorted((a.created_by.email,) for a in apps)
    for app in apps:
        app.refresh_from_db()
        assert app.notified_at is not None
        (message,) = OutgoingEmail.objects.for_objects(type(app).objects.filter(pk=app.pk)).filter(purpose=DECISION_LETTER)
        assert (message.status, message.attempts) == (OutgoingEmail.Status.SENT, 1)
        for action in ("calls.decision.letter_queued", "calls.decision.letter_issued", "calls.decision.notified"):
            assert events(app, action) == 1, (app.pk, action)


def _failed_letters(settings):
    """A decided call whose four letters were drawn and issued, but whose e-mails the mail
    server refused for good; the server works again afterwards."""
    from tpj.calls.emails import DECISION_LETTER
    from tpj.calls.services.decisions import notify_decisions
    from tpj.outbox.models import OutgoingEmail

    call, apps = _decided_call()
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    assert notify_decisions(call, call.manager) == 4  # no transaction: drawn and sent at once, refused
    messages = list(OutgoingEmail.objects.filter(purpose=DECISION_LETTER).order_by("pk"))
    assert [m.status for m in messages] == [OutgoingEmail.Status.FAILED] * 4 and mail.outbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return call, apps, messages


def _sent_once(apps, messages):
    from tpj.outbox.models import OutgoingEmail

    assert sorted(tuple(m.to) for m in mail.outbox) == sorted((a.created_by.email,) for a in apps)
    for message in messages:
        message.refresh_from_db()
        assert (message.status, message.attempts) == (OutgoingEmail.Status.SENT, 2), message.pk
    for app in apps:
        app.refresh_from_db()
        assert app.notified_at is not None and events(app, "calls.decision.notified") == 1


def test_renvoyer_at_once_sends_each_failed_email_once(settings):
    """The call's two managers press « Renvoyer » on each of the four failed letters twice at
    once: each e-mail is sent once, each decision notified once; a late click is told the
    e-mail is no longer failed (a French message on the decisions page, no 5xx)."""
    call, apps, messages = _failed_letters(settings)
    managers = _managers(call)
    notify = reverse("calls:notify", args=[call.pk])

    results = fire([(managers[i % 2], post(notify, {"resend": messages[i % 4].pk}, follow=True)) for i in range(PARALLEL)])
    statuses = no_server_error(results)
    assert statuses == [200] * PARALLEL
    answered = [page for _, page in results]
    assert sum("Courriel remis en envoi" in page for page in answered) >= 4
    assert all("Courriel remis en envoi" in page or "n&#x27;est pas en échec pour cet appel" in page for page in answered)
    _sent_once(apps, messages)


def test_renvoyer_in_the_admin_and_on_the_decisions_page_at_once_sends_each_email_once(settings):
    """Administrators resend the four failed letters from the outbox's admin (the « Renvoyer »
    action on all four) while the managers resend them one by one: each e-mail once."""
    call, apps, messages = _failed_letters(settings)
    administrators = [user_with_role(Role.ADMINISTRATOR, is_staff=True) for _ in range(2)]
    changelist = reverse("admin:outbox_outgoingemail_changelist")
    notify = reverse("calls:notify", args=[call.pk])
    action = {"action": "resend", "_selected_action": [m.pk for m in messages]}
    requests_ = [
        (administrators[i % 2], post(changelist, action))
        if i % 2
        else (call.manager, post(notify, {"resend": messages[i // 2].pk}))
        for i in range(PARALLEL)
    ]

    statuses = no_server_error(fire(requests_))
    assert statuses == [302] * PARALLEL
    _sent_once(apps, messages)


# --- the workers: eight copies of one task at once ----------------------------------------------


def _pending_email():
    from tpj.outbox.models import OutgoingEmail

    message = OutgoingEmail.objects.create(
        purpose="calls.receipt", recipients=["porteur@example.fr"], subject="Accusé", body="Reçu.", next_attempt_at=timezone.now()
    )

    def check():
        message.refresh_from_db()
        assert (message.status, message.attempts) == (OutgoingEmail.Status.SENT, 1)
        assert [m.to for m in mail.outbox] == [["porteur@example.fr"]]

    return message.pk, check


def _requested_letter():
    from tpj.calls.models import DecisionLetter
    from tpj.outbox.models import OutgoingEmail

    call, apps = _decided_call()
    apps[0].refresh_from_db()
    letter = DecisionLetter.objects.create(application=apps[0], decided_at=apps[0].decided_at, requested_by=call.manager)

    def check():
        letter.refresh_from_db()
        assert (letter.state, letter.attempts) == (DecisionLetter.State.ISSUED, 1)
        assert events(apps[0], "calls.decision.letter_issued") == 1
        assert OutgoingEmail.objects.filter(pk=letter.message_id).count() == 1 and len(mail.outbox) == 1
        assert default_storage.listdir(letter.file.name.rsplit("/", 1)[0])[1] == [letter.file.name.rsplit("/", 1)[1]]

    return letter.pk, check


def _queued_export():
    from tpj.downloads.models import ExportJob

    verified_entry()
    job = ExportJob.objects.create(
        requested_by=UserFactory(),
        kind="registry.csv",
        title="Annuaire",
        filename="annuaire.csv",
        content_type="text/csv; charset=utf-8",
        format_label="CSV",
        last_queued_at=timezone.now(),
    )

    def check():
        job.refresh_from_db()
        assert (job.status, job.attempts) == (ExportJob.Status.READY, 1)
        assert events(job, "downloads.ready") == 1
        assert default_storage.listdir(f"exports/{job.pk}")[1] == ["annuaire.csv"]

    return job.pk, check


def _saved_import():
    from tpj.registry import importer
    from tpj.registry.models import Entry, ImportJob

    rows = 2500
    content = "\n".join([HEADER, *(ROW.format(i) for i in range(rows))]).encode()
    author = user_with_role(Role.MODERATOR, departements=["69"])
    job = importer.create_job("CAF du Rhône", SimpleUploadedFile("rpe.csv", content), author)

    def check():
        job.refresh_from_db()
        assert (job.status, job.next_row, job.created_count, job.updated_count) == (ImportJob.Status.DONE, rows, rows, 0)
        assert Entry.objects.filter(import_source="CAF du Rhône").count() == rows
        assert events(job, "registry.import_done") == 1

    return job.pk, check


def _send(pk):
    from tpj.outbox import delivery

    delivery.send(pk)


def _issue(pk):
    from tpj.calls.services import letters

    letters.issue_letter(pk)


def _build(pk):
    from tpj.downloads import services

    services.build(pk)


def _import(pk):
    from tpj.registry import importer

    importer.work(pk)


@pytest.mark.parametrize(
    ("setup", "work"),
    [(_pending_email, _send), (_requested_letter, _issue), (_queued_export, _build), (_saved_import, _import)],
    ids=["outbox-email", "decision-letter", "export", "import"],
)
def test_eight_workers_given_one_row_at_once_do_its_work_once(setup, work):
    """A task queued eight times (the page's, the recovery's, copies) taken by eight workers
    at once: one claims the row and does the work; the others find it taken and do nothing."""
    pk, check = setup()
    barrier = threading.Barrier(PARALLEL)

    def one(_):
        barrier.wait()
        try:
            work(pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(one, range(PARALLEL)))
    check()
