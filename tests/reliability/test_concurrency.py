"""Concurrency on PostgreSQL: real parallel requests and parallel service calls.

Complements tests/calls (two managers allocating at once): here 8 parallel allocations on
one envelope, a double-clicked submission over HTTP, a replayed creation, two jurors
scoring at once and two moderators acting on one entry at the same time (both actions
logged: the refused one too).
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.calls.factories import applicant, close, content, jury_user, make_call, submitted_application
from tests.factories import user_with_role
from tests.registry.factories import EntryFactory
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.core.policy import PermissionDenied

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not ON_POSTGRES, reason="needs PostgreSQL (row locks and real concurrent transactions); SQLite serialises writers"
    ),
    pytest.mark.django_db(transaction=True),
]
PARALLEL = 8


def in_parallel(function, arguments):
    """Run function(*args) for each args at the same instant (barrier), each in its own thread and connection."""
    barrier = threading.Barrier(len(arguments))

    def run(args):
        try:
            barrier.wait()
            return ("ok", function(*args))
        except (ValidationError, PermissionDenied) as error:
            return ("refused", error)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(arguments)) as pool:
        return list(pool.map(run, arguments))


def test_parallel_allocations_never_over_allocate_an_envelope():
    from tpj.calls.models import Application, Envelope
    from tpj.calls.services.decisions import decide
    from tpj.calls.services.instruction import declare_eligible

    call = make_call(strand="ars")
    apps = [submitted_application(call, title=f"Projet {i}", requests={"ARS": Decimal("30000")}) for i in range(PARALLEL)]
    close(call)
    apps = [declare_eligible(a, call.manager) for a in apps]
    outcomes = in_parallel(
        lambda app: decide(app, call.manager, "laureate", "Concurrence", {"ARS": Decimal("30000")}), [(a,) for a in apps]
    )
    envelope = Envelope.objects.get(call=call, agency="ARS")
    accepted = [o for o, _ in outcomes if o == "ok"]
    assert len(accepted) == int(envelope.total // Decimal("30000")), outcomes
    assert envelope.allocated == Decimal("30000") * len(accepted) <= envelope.total
    assert Application.objects.filter(call=call, state=Application.State.LAUREATE).count() == len(accepted)


def test_replayed_creation_with_one_client_token_creates_one_application():
    from tpj.calls.models import Application
    from tpj.calls.services.applications import create_application

    call = make_call(strand="ars")
    carrier = applicant()
    token = uuid.uuid4()
    outcomes = in_parallel(lambda: create_application(carrier, call, content(call), client_token=token), [()] * PARALLEL)
    assert all(o == "ok" for o, _ in outcomes), outcomes
    assert Application.objects.filter(call=call, created_by=carrier).count() == 1
    assert sum(created for _, (_, created) in outcomes) == 1


def test_double_clicked_submission_over_http_submits_once(live_server):
    from tpj.calls.models import Application
    from tpj.calls.services.applications import create_application

    call = make_call(strand="ars")
    carrier = applicant()
    app, _ = create_application(carrier, call, content(call))
    token = Token.objects.create(user=carrier).key
    url = f"{live_server.url}/api/v1/applications/{app.pk}/submit/"
    barrier = threading.Barrier(PARALLEL)

    def click():
        barrier.wait()
        return requests.post(url, headers={"Authorization": f"Token {token}"}, json={}, timeout=30).status_code

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(lambda _: click(), range(PARALLEL)))
    assert 500 not in statuses, statuses
    assert statuses.count(200) == 1, statuses
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED and app.reference
    assert AuditEvent.objects.for_object(app).filter(to_state=Application.State.SUBMITTED).count() == 1
    # each refused click is logged, after its request's rolled-back transaction
    assert AuditEvent.objects.for_object(app).filter(action="calls.application.submit.refused").count() == statuses.count(400)


def test_two_jurors_scoring_at_once_lose_nothing():
    from tpj.calls.models import Application, ScoreSheet
    from tpj.calls.services.instruction import declare_eligible
    from tpj.calls.services.jury import add_jury_member, save_scores

    call = make_call(strand="ars")
    app = submitted_application(call)
    close(call)
    app = declare_eligible(app, call.manager)
    jurors = [jury_user(), jury_user()]
    for juror in jurors:
        add_jury_member(call, call.manager, juror, "funder")
    sheets = []
    for juror in jurors:
        sheet = ScoreSheet.objects.get_or_create(member=call.jury.get(user=juror), application=app)[0]
        sheet.conflict_declared_at, sheet.has_conflict = sheet.conflict_declared_at or app.created_at, False
        sheet.save()
        sheets.append(sheet)
    criteria = list(call.criteria.all())
    marks = {jurors[0].pk: 4, jurors[1].pk: 2}

    def score(sheet, juror):
        values = {c.pk: (min(marks[juror.pk], c.max_score), False) for c in criteria}
        return save_scores(sheet, juror, values, submit=True)

    outcomes = in_parallel(score, list(zip(sheets, jurors, strict=True)))
    assert all(o == "ok" for o, _ in outcomes), outcomes
    app = Application.objects.get(pk=app.pk)
    assert app.scores_count == 2
    submitted = ScoreSheet.objects.filter(application=app, submitted_at__isnull=False)
    assert submitted.count() == 2
    assert app.low_score < app.high_score


def test_two_moderators_acting_on_one_entry_end_in_one_consistent_state():
    from tpj.registry.models import Entry, State
    from tpj.registry.services import moderation as services

    entry = EntryFactory(state=State.SUBMITTED)
    moderators = [user_with_role(Role.MODERATOR, departements=["35"]), user_with_role(Role.MODERATOR, region="53")]
    actions = [("verify", ""), ("reject", "Justificatif illisible")]
    outcomes = in_parallel(
        lambda user, action: services.moderate(Entry.objects.get(pk=entry.pk), action[0], user, action[1]),
        list(zip(moderators, actions, strict=True)),
    )
    assert sorted(o for o, _ in outcomes) == ["ok", "refused"], outcomes
    winner = actions[[o for o, _ in outcomes].index("ok")][0]
    entry.refresh_from_db()
    assert entry.state == {"verify": State.VERIFIED, "reject": State.REJECTED}[winner]
    transitions = AuditEvent.objects.for_object(entry).exclude(to_state="").exclude(to_state=State.SUBMITTED)
    assert [(e.to_state, e.actor_id) for e in transitions] == [(entry.state, moderators[[o for o, _ in outcomes].index("ok")].pk)]
    loser_index = [o for o, _ in outcomes].index("refused")
    loser = outcomes[loser_index][1]
    assert "impossible" in str(loser)
    # Both actions are in the audit log: the winner's transition, then the loser's refused
    # attempt (its actor, the state it found, the French message it got).
    refused = AuditEvent.objects.for_object(entry).filter(action__endswith=".refused")
    assert [(e.action, e.actor_id, e.from_state, e.to_state, e.reason) for e in refused] == [
        (f"registry.{actions[loser_index][0]}.refused", moderators[loser_index].pk, entry.state, "", loser.messages[0]),
    ]
    both = AuditEvent.objects.for_object(entry).filter(
        action__in=[f"registry.{winner}", f"registry.{actions[loser_index][0]}.refused"]
    )
    assert [e.actor_id for e in both.order_by("created_at", "id")] == [moderators[1 - loser_index].pk, moderators[loser_index].pk]
