"""Two identical claims at the same moment leave one pending claim and no error page (PostgreSQL)."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test import Client

from tests.concurrency import CONCURRENT_ON_POSTGRES
from tpj.registry.models import ClaimState, EntryClaim
from tpj.registry.services import claims

pytestmark = CONCURRENT_ON_POSTGRES


def _waiting_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


def test_the_second_insert_waits_for_the_first_then_gets_a_french_message(imported, professional):
    """Forced interleaving: both pass the « already pending? » check, the second insert waits on
    the unique index until the first commits, then is refused by the database."""
    first_inserted, release = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                claims.submit_claim(imported, professional, "Première")
                first_inserted.set()
                release.wait(30)
            outcome["first"] = "saved"
        finally:
            connections.close_all()

    def second():
        first_inserted.wait(30)
        try:
            with transaction.atomic():
                claims.submit_claim(imported, professional, "Seconde")
            outcome["second"] = "saved"
        except ValidationError as error:
            outcome["second"] = error.messages
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_inserted.wait(30)
    blocked = False
    for _ in range(3000):  # until the second insert waits on the first one's row (a few ms)
        if blocked := bool(_waiting_locks()):
            break
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(60)
    assert blocked, "the second submit never waited on the first one's insert"
    assert outcome == {"first": "saved", "second": [claims.ALREADY_PENDING]}
    assert list(EntryClaim.objects.values_list("state", "message")) == [(ClaimState.PENDING, "Première")]


def test_two_identical_submits_over_http_leave_one_claim(imported, professional):
    barrier = threading.Barrier(4)
    statuses = []

    def submit():
        client = Client()
        client.force_login(professional)
        barrier.wait(30)
        try:
            statuses.append(client.post(f"/annuaire/fiches/{imported.pk}/revendiquer/", {"message": "Bonjour"}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [302, 400, 400, 400]
    assert EntryClaim.objects.filter(state=ClaimState.PENDING).count() == 1


def test_a_withdrawal_and_a_confirmation_at_once_leave_one_consistent_outcome(imported, professional, moderator_35):
    """The claimant withdraws while a moderator confirms: one wins (row lock), the other gets a
    French message; the entry has the claimant as member exactly when the claim is confirmed."""
    claim = claims.submit_claim(imported, professional)
    barrier = threading.Barrier(2)
    outcome = {}

    def act(name, fire):
        barrier.wait(30)
        try:
            fire()
            outcome[name] = "done"
        except ValidationError as error:
            outcome[name] = error.messages
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("withdraw", lambda: claims.withdraw_claim(claim, professional))),
        threading.Thread(target=act, args=("confirm", lambda: claims.decide(claim, "confirm", moderator_35))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    claim.refresh_from_db()
    assert sorted(v == "done" for v in outcome.values()) == [False, True]
    assert claim.state in (ClaimState.WITHDRAWN, ClaimState.CONFIRMED)
    assert imported.members.filter(pk=professional.pk).exists() == (claim.state == ClaimState.CONFIRMED)
