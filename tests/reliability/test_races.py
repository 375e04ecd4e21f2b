"""Check-then-write races (issue 13 §1), on PostgreSQL over real HTTP.

Every state-changing operation of the API (POST/PUT/PATCH/DELETE), read from the OpenAPI
schema — calls and applications, registry entries, national measures and apportionments,
token and account deletion — is sent PARALLEL times at the same instant (a barrier) to a
live server, identical or contradictory requests. Whatever the interleaving: no 5xx, and one
consistent end state (one call per agency and campaign, one transition, one conflict
declaration that is never reverted, one revision of a published entry, one anonymisation,
one token, no duplicated content).

How to race an operation is declared in RACES, keyed by the schema's operation id; an
operation missing from it fails the test ("declare how to race it"), so that a new endpoint
is raced too. The three cases of the issue are also written out below.
"""

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import requests
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.calls.factories import (
    CampaignFactory,
    applicant,
    close,
    content,
    decidable,
    decided_call,
    declared,
    jury_user,
    make_call,
    manager,
    submitted_application,
)
from tests.concurrency import CONCURRENT_ON_POSTGRES
from tests.reliability.openapi import openapi_schema
from tests.training.api.races import TRAINING_RACES
from tpj.audit.models import AuditEvent

pytestmark = CONCURRENT_ON_POSTGRES
PARALLEL = 8
WRITE_METHODS = ("post", "put", "patch", "delete")


def write_operations() -> list[tuple[str, str, str]]:
    """(operation id, METHOD, path template) of every state-changing operation of the API."""
    return [
        (item[method]["operationId"], method.upper(), path)
        for path, item in openapi_schema()["paths"].items()
        for method in WRITE_METHODS
        if method in item
    ]


@dataclass
class Scenario:
    """The object raced (`id` fills the path), the requests — (user, JSON body) — and the end-state check.

    `user` None sends the request without a token; `paths`, per request, races other
    operations on the same object (path templates of the schema) against the one tested;
    `files` ({field: (name, bytes, content type)}) sends each request as multipart/form-data."""

    id: int | None
    requests: list
    check: object  # fn(statuses: list[int], bodies: list) -> None
    paths: list = field(default_factory=list)
    files: dict | None = None


def fill(path: str, obj_id) -> str:
    return re.sub(r"\{\w+\}", str(obj_id), path)


def fire(method: str, url, requests_: list, files: dict | None = None) -> tuple[list[int], list]:
    """Send the requests at the same instant; `url` is one address, or one per request. With
    `files`, each body is sent as multipart/form-data fields beside them."""
    urls = [url] * len(requests_) if isinstance(url, str) else url
    tokens = {}
    for user, _ in requests_:
        if user is not None:
            tokens.setdefault(user.pk, Token.objects.get_or_create(user=user)[0].key)
    barrier = threading.Barrier(len(requests_))

    def send(item):
        (user, body), address = item
        headers = {"Authorization": f"Token {tokens[user.pk]}"} if user is not None else {}
        barrier.wait()
        payload = {"data": body, "files": files} if files else {"json": body}
        response = requests.request(method, address, headers=headers, timeout=60, **payload)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text

    with ThreadPoolExecutor(len(requests_)) as pool:
        results = list(pool.map(send, zip(requests_, urls, strict=True)))
    return [s for s, _ in results], [b for _, b in results]


def once(statuses, expected=200, refused=(400, 409)):
    """Exactly one request went through; every other one got a clean refusal."""
    assert statuses.count(expected) == 1, statuses
    assert set(statuses) <= {expected, *refused}, statuses


def transitions(obj, to_state) -> int:
    return AuditEvent.objects.for_object(obj).filter(to_state=to_state).exclude(action__endswith=".refused").count()


# --- the scenarios, one per operation id ------------------------------------------------------


def race_call_creation():
    """Contradictory creations by both agencies of a région: joint and own calls, twice each."""
    from tpj.calls.models import Call, Envelope

    campaign = CampaignFactory()
    ars, dreets = manager("ARS", "53"), manager("DREETS", "53")
    declared(ars, campaign)
    declared(dreets, campaign)
    bodies = [(ars, "joint"), (ars, "ars"), (dreets, "joint"), (dreets, "dreets")] * (PARALLEL // 4)

    def check(statuses, _):
        assert set(statuses) <= {201, 409}, statuses
        calls = Call.objects.filter(campaign=campaign, region_id="53")
        assert calls.count() == statuses.count(201) >= 1
        # each agency's national dotation once: at most one envelope per agency for the campaign
        per_agency = Counter(Envelope.objects.filter(campaign=campaign, region_id="53").values_list("agency", flat=True))
        assert per_agency and max(per_agency.values()) == 1, per_agency

    return Scenario(None, [(u, {"strand": s, "year": campaign.year}) for u, s in bodies], check)


def race_call_definition():
    from tpj.calls.models import Call

    call = make_call(state=Call.State.DRAFT)
    summaries = [f"Présentation {i}" for i in range(PARALLEL)]

    def check(statuses, _):
        assert set(statuses) == {200}, statuses
        call.refresh_from_db()
        assert call.summary in summaries and call.state == Call.State.DRAFT
        assert AuditEvent.objects.for_object(call).filter(action="calls.call.defined").count() == PARALLEL

    return Scenario(call.pk, [(call.manager, {"summary": s}) for s in summaries], check)


def race_call_transition(setup, to_state, body=None):
    def scenario():
        call = setup()

        def check(statuses, _):
            once(statuses)
            call.refresh_from_db()
            assert call.state == to_state and transitions(call, to_state) == 1

        return Scenario(call.pk, [(call.manager, body or {})] * PARALLEL, check)

    return scenario


def draft_ready_to_publish():
    from tpj.calls.models import Call

    return make_call(state=Call.State.DRAFT)


def published():
    return make_call()


def closed_with_laureate():
    from tpj.calls.services.decisions import decide

    call, apps = decidable(strand="ars", requested=Decimal("100000"))
    decide(apps[0], call.manager, "laureate", "Projet solide", {"ARS": Decimal("100000")})
    for app in apps[1:]:
        decide(app, call.manager, "rejected", "Moins prioritaire")
    return call


def laureates_decided():
    from tpj.calls.services.calls import fire_call

    call = closed_with_laureate()
    decided = fire_call(call, call.manager, "decide_laureates")
    decided.manager = call.manager
    return decided


def race_decisions():
    """Contradictory decisions on one application: laureate, waiting list and rejection at once."""
    from tpj.calls.models import Application, Envelope, EnvelopeRequest

    call, apps = decidable(strand="ars", requested=Decimal("60000"))
    app = apps[0]
    outcomes = [
        {"application": app.pk, "outcome": "laureate", "reason": "Retenu", "allocations": [{"agency": "ARS", "amount": "60000"}]},
        {"application": app.pk, "outcome": "waiting_list", "reason": "En attente", "allocations": []},
        {"application": app.pk, "outcome": "rejected", "reason": "Non retenu", "allocations": []},
    ]

    def check(statuses, _):
        assert set(statuses) <= {200, 400, 409}, statuses
        assert statuses.count(200) >= 1
        app.refresh_from_db()
        assert app.state in Application.DECIDED_STATES
        envelope = Envelope.objects.get(call=call, agency="ARS")
        charged = EnvelopeRequest.objects.filter(envelope=envelope).values_list("amount_allocated", flat=True)
        assert envelope.allocated == sum(charged, Decimal(0))
        assert envelope.allocated == (Decimal("60000") if app.state == Application.State.LAUREATE else 0)

    return Scenario(call.pk, [(call.manager, outcomes[i % 3]) for i in range(PARALLEL)], check)


def application_transition(setup, to_state, body=None, by="manager"):
    def scenario():
        call, app = setup()
        user = call.manager if by == "manager" else app.created_by

        def check(statuses, _):
            once(statuses)
            app.refresh_from_db()
            assert app.state == to_state and transitions(app, to_state) == 1

        return Scenario(app.pk, [(user, body or {})] * PARALLEL, check)

    return scenario


def draft():
    from tpj.calls.services.applications import create_application

    call = make_call()
    carrier = applicant()
    return call, create_application(carrier, call, content(call))[0]


def submitted():
    call = make_call()
    return call, submitted_application(call)


def info_requested():
    from tpj.calls.services.instruction import request_information

    call, app = submitted()
    request_information(app, call.manager, "Joignez le budget détaillé.")
    return call, app


def jury_file():
    """An eligible application of a closed call, assigned to one juror (no declaration yet)."""
    from tpj.calls.services.instruction import declare_eligible
    from tpj.calls.services.jury import add_jury_member, assign

    call = make_call()
    app = submitted_application(call)
    close(call)
    app = declare_eligible(app, call.manager)
    juror = jury_user()
    add_jury_member(call, call.manager, juror, "funder")
    assign(call, call.manager)
    return call, app, juror


def race_conflict_declaration():
    """Half of the requests declare a conflict, half declare none: a declared conflict stays."""
    from tpj.calls.models import ScoreSheet

    call, app, juror = jury_file()
    bodies = [{"has_conflict": i % 2 == 0, "note": "Ancien salarié du porteur" if i % 2 == 0 else ""} for i in range(PARALLEL)]

    def check(statuses, _):
        assert set(statuses) <= {200, 409}, statuses
        sheet = ScoreSheet.objects.get(application=app, member__user=juror)
        events = list(
            AuditEvent.objects.for_object(app)
            .filter(action__in=["calls.jury.conflict_declared", "calls.jury.no_conflict"])
            .order_by("pk")
            .values_list("action", flat=True)
        )
        # one declaration, or « no conflict » then the conflict discovered: never a conflict withdrawn
        assert events in (
            ["calls.jury.conflict_declared"],
            ["calls.jury.no_conflict"],
            ["calls.jury.no_conflict", "calls.jury.conflict_declared"],
        ), events
        assert statuses.count(200) == len(events)
        assert sheet.has_conflict == (events[-1] == "calls.jury.conflict_declared")
        assert sheet.conflict_declared_at is not None

    return Scenario(app.pk, [(juror, b) for b in bodies], check)


def race_scores():
    """Eight validations of one sheet with different scores: the first stands, whole."""
    from tpj.calls.models import ScoreSheet
    from tpj.calls.services.jury import declare_conflict

    call, app, juror = jury_file()
    sheet = ScoreSheet.objects.get(application=app, member__user=juror)
    declare_conflict(sheet, juror, has_conflict=False)
    criteria = list(call.criteria.values_list("pk", flat=True))
    bodies = [
        {
            "scores": [{"criterion": c, "value": i % 6, "not_applicable": False} for c in criteria],
            "comment": f"{i}",
            "submit": True,
        }
        for i in range(PARALLEL)
    ]

    def check(statuses, _):
        once(statuses)
        sheet.refresh_from_db()
        assert sheet.submitted_at is not None and sheet.scores.count() == len(criteria)
        assert {s.value for s in sheet.scores.all()} == {int(sheet.comment) % 6}
        assert AuditEvent.objects.for_object(app).filter(action="calls.jury.scores_submitted").count() == 1

    return Scenario(app.pk, [(juror, b) for b in bodies], check)


def race_request_info():
    from tpj.calls.models import Application, InformationRequest

    call, app = submitted()

    def check(statuses, _):
        once(statuses)
        app.refresh_from_db()
        assert app.state == Application.State.INFO_REQUESTED
        assert InformationRequest.objects.filter(application=app).count() == 1

    return Scenario(app.pk, [(call.manager, {"reason": f"Question {i}"}) for i in range(PARALLEL)], check)


def race_answer_info():
    from tpj.calls.models import Application, InformationRequest

    call, app = info_requested()

    def check(statuses, _):
        once(statuses)
        app.refresh_from_db()
        assert app.state == Application.State.SUBMITTED
        request = InformationRequest.objects.get(application=app)
        assert request.answered_at is not None and request.answer.startswith("Réponse")

    return Scenario(app.pk, [(app.created_by, {"reason": f"Réponse {i}"}) for i in range(PARALLEL)], check)


def _eligible_candidate():
    call, app = submitted()
    close(call)
    return call, app


def _draft_update():
    from tpj.calls.services.applications import create_application

    call = make_call()
    carrier = applicant()
    app, _ = create_application(carrier, call, content(call))
    _, body = race_application_creation_with(call, carrier)
    body = {k: v for k, v in body.items() if k != "client_token"}

    def check(statuses, _):
        assert set(statuses) == {200}, statuses
        app.refresh_from_db()
        assert (app.budget_lines.count(), app.indicators.count(), app.requests.count()) == (1, 1, len(call.agencies))

    return Scenario(app.pk, [(carrier, body)] * PARALLEL, check)


def race_application_creation_with(call=None, carrier=None):
    """The creation payload (shared by the creation and the draft updates)."""
    from tpj.calls.models import Application

    call = call or make_call()
    carrier = carrier or applicant()
    body = {
        "title": "Café des parents",
        "description": "Rencontres hebdomadaires.",
        "target_public": "Futurs parents",
        "carrier_siret": "73282932000074",
        "start_date": f"{timezone.localdate().year}-10-01",
        "end_date": f"{timezone.localdate().year + 1}-06-30",
        "call_axes": [call.axes.first().pk],
        "places": ["35238"],
        "budget_lines": [{"label": "Animation", "amount": "50000"}],
        "cofinancings": [],
        "requests": [{"agency": a, "amount": "20000"} for a in call.agencies],
        "indicators": [{"name": "Parents venus", "baseline": "0", "target": "120", "method": "Émargement"}],
        "client_token": "0b7e4a56-3a51-4f62-9a53-6b1c0e5a7d11",
    }

    def check(statuses, bodies):
        assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, statuses
        assert Application.objects.filter(call=call, organisation=carrier.organisation).count() == 1
        assert len({b["id"] for b in bodies}) == 1

    return Scenario(call.pk, [(carrier, body)] * PARALLEL, check), body


# --- registry entries ---------------------------------------------------------------------------

ENTRY = "/api/v1/entries/{id}/"
SIRET = "73282932000074"


def _moderators():
    from tests.factories import user_with_role
    from tpj.accounts.models import Role

    return [user_with_role(Role.MODERATOR, departements=["35"]), user_with_role(Role.MODERATOR, region="53")]


def _member():
    from tests.factories import user_with_role
    from tpj.accounts.models import Role

    return user_with_role(Role.APPLICANT)


def entry_body(i=0) -> dict:
    """A complete registration (submittable), the `i`-th variant of every field."""
    return {
        "kind": "etablissement",
        "category": "creche",
        "name": f"Crèche Les Petits Loups {i}",
        "address": f"{i + 1} rue de Paris",
        "postal_code": "35000",
        "commune": "35238",
        "website": f"https://petits-loups-{i}.example.fr",
        "priorities": [{"number": 8, "description": f"Accueil des 0-3 ans, variante {i}"}],
        "situations": [
            {
                "situation": 4,
                "trusting_body_name": f"Conseil départemental d'Ille-et-Vilaine {i}",
                "trusting_body_kind": "collectivite",
                "reference_type": "siret",
                "reference_value": SIRET,
            }
        ],
        "contacts": [{"kind": "email", "value": f"contact{i}@petits-loups.fr", "is_public": True}],
    }


def as_body(entry) -> dict:
    """What an entry holds, in the shape of `entry_body`."""
    return {
        "kind": entry.kind.slug,
        "category": entry.category.slug,
        "name": entry.name,
        "address": entry.address,
        "postal_code": entry.postal_code,
        "commune": entry.commune_id,
        "website": entry.website,
        "priorities": [{"number": p.priority.number, "description": p.description} for p in entry.priorities.all()],
        "situations": [
            {
                "situation": s.situation.number,
                "trusting_body_name": s.trusting_body_name,
                "trusting_body_kind": s.trusting_body_kind,
                "reference_type": s.reference_type,
                "reference_value": s.reference_value,
            }
            for s in entry.situations.all()
        ],
        "contacts": [{"kind": c.kind, "value": c.value, "is_public": c.is_public} for c in entry.contacts.all()],
    }


def race_entry_creation():
    """Eight identical registrations (double clicks, same SIRET): eight drafts, none merged, and
    once they are sent to moderation each one is flagged to moderators as a duplicate of the others."""
    from tpj.registry.models import Entry, State
    from tpj.registry.services.duplicates import find_duplicates

    user = _member()

    def check(statuses, bodies):
        assert statuses == [201] * PARALLEL, statuses
        entries = Entry.objects.filter(members=user)
        assert sorted(entries.values_list("pk", flat=True)) == sorted(b["id"] for b in bodies)
        assert all(as_body(e) == entry_body() for e in entries)
        assert AuditEvent.objects.filter(action="registry.create", actor=user).count() == PARALLEL
        entries.update(state=State.SUBMITTED)
        duplicates = find_duplicates(entries.first())
        assert len(duplicates) == PARALLEL - 1 and {d.reason for d in duplicates} == {f"même numéro SIRET ({SIRET})"}

    return Scenario(None, [(user, entry_body())] * PARALLEL, check)


def race_entry_edit():
    """Eight members' substantive edits of a published entry, all different: one revision,
    equal to one of the edits entirely (no mix of fields), the published entry untouched."""
    from tests.registry.factories import verified_entry
    from tpj.registry.models import Entry, State

    member = _member()
    entry = verified_entry(setup__members=[member])
    published = as_body(entry)
    bodies = [entry_body(i) for i in range(PARALLEL)]

    def check(statuses, answers):
        assert statuses == [200] * PARALLEL, statuses
        revision = Entry.objects.get(revision_of=entry)
        assert {a["id"] for a in answers} == {revision.pk}
        assert revision.state == State.DRAFT and as_body(revision) in bodies
        entry.refresh_from_db()
        assert entry.state == State.VERIFIED and as_body(entry) == published
        assert AuditEvent.objects.for_object(revision).filter(action="registry.revision_opened").count() == 1
        assert AuditEvent.objects.for_object(revision).filter(action="registry.edit").count() == PARALLEL

    return Scenario(entry.pk, [(member, b) for b in bodies], check)


def race_entry_submission():
    from tests.registry.factories import EntryFactory
    from tpj.registry.models import State

    member = _member()
    entry = EntryFactory(state=State.DRAFT, setup__members=[member])

    def check(statuses, _):
        once(statuses)
        entry.refresh_from_db()
        assert entry.state == State.SUBMITTED and transitions(entry, State.SUBMITTED) == 1

    return Scenario(entry.pk, [(member, {})] * PARALLEL, check)


MODERATION = {
    "verify": ("verified", {}),
    "reject": ("rejected", {"reason": "Hors champ des 1000 premiers jours"}),
    "request-changes": ("changes_requested", {"reason": "Précisez la référence de l'agrément"}),
}


def race_moderation(first):
    """Two moderators at once: verify, reject and request changes on one submitted entry.
    One decision wins; the others are refused in French; one transition in the audit log."""

    def scenario():
        from tests.registry.factories import EntryFactory
        from tpj.registry.models import State

        entry = EntryFactory(state=State.SUBMITTED, setup__members=[_member()])
        moderators = _moderators()
        order = [first, *(m for m in MODERATION if m != first)]
        moves = [order[i % 3] for i in range(PARALLEL)]

        def check(statuses, answers):
            once(statuses, refused=(400,))
            winner = moves[statuses.index(200)]
            entry.refresh_from_db()
            assert entry.state == MODERATION[winner][0]
            assert (
                AuditEvent.objects.for_object(entry)
                .filter(from_state=State.SUBMITTED)
                .exclude(action__endswith=".refused")
                .count()
                == 1
            )
            refusals = [a for s, a in zip(statuses, answers, strict=True) if s != 200]
            assert all("impossible : l'état actuel est" in a["non_field_errors"][0] for a in refusals), refusals

        return Scenario(
            entry.pk,
            [(moderators[i % 2], MODERATION[m][1]) for i, m in enumerate(moves)],
            check,
            paths=[f"{ENTRY}{m}/" for m in moves],
        )

    return scenario


def race_suspension():
    from tests.registry.factories import verified_entry
    from tpj.registry.models import State

    entry = verified_entry(setup__members=[_member()])
    moderators = _moderators()

    def check(statuses, _):
        once(statuses, refused=(400,))
        entry.refresh_from_db()
        assert entry.state == State.SUSPENDED and transitions(entry, State.SUSPENDED) == 1

    return Scenario(entry.pk, [(moderators[i % 2], {"reason": f"Plainte n° {i}"}) for i in range(PARALLEL)], check)


# --- account: token and deletion ------------------------------------------------------------------


def race_token():
    """Eight sign-ins of one account at once: all succeed, with one and the same token."""
    user = _member()
    Token.objects.filter(user=user).delete()

    def check(statuses, answers):
        assert statuses == [200] * PARALLEL, (statuses, answers)
        assert {a["token"] for a in answers} == {Token.objects.get(user=user).key}

    return Scenario(None, [(None, {"email": user.email, "password": "mot-de-passe-solide-42"})] * PARALLEL, check)


def race_account_deletion():
    """Eight deletions of one account at once: one anonymisation, its draft entry deleted once."""
    from tests.registry.factories import EntryFactory
    from tpj.accounts.models import User
    from tpj.registry.models import Entry, State

    user = _member()
    entry = EntryFactory(state=State.DRAFT, setup__members=[user])

    def check(statuses, answers):
        once(statuses, refused=(401, 409))
        assert all("déjà été supprimé" in a["detail"] for s, a in zip(statuses, answers, strict=True) if s == 409), answers
        assert answers[statuses.index(200)] == {
            "fiches_transferees": 0,
            "fiches_supprimees": 1,
            "fiches_conservees": 0,
            "demandes_retirees": 0,
        }
        deleted = User.objects.get(pk=user.pk)
        assert not deleted.is_active and deleted.email != user.email
        assert not Entry.objects.filter(pk=entry.pk).exists()
        assert AuditEvent.objects.filter(action="privacy.delete_account", actor=user).count() == 1

    return Scenario(None, [(user, {"confirmation": "SUPPRIMER"})] * PARALLEL, check)


# --- national measures: deployments and apportionments -------------------------------------------


def _national():
    """A national-team user, and the national measures (migration data a flush removed)."""
    from tests.factories import user_with_role
    from tests.reliability.conftest import ensure_measures
    from tpj.accounts.models import Role

    ensure_measures()
    return user_with_role(Role.NATIONAL_TEAM)


def race_deployments():
    """Eight deployments recorded at once (deployments have no uniqueness rule: a measure is
    deployed many times in a région): each one recorded once, all counted in the progress."""
    from tpj.valorisation.models import Deployment, Measure

    user = _national()
    measure = Measure.objects.get(slug="unites-parents-bebe")
    before = Measure.objects.with_progress().get(pk=measure.pk).deployment_count
    bodies = [
        {"region": "53", "title": f"Unité parents-bébé n° {i}", "date": "2024-09-01", "quantity": 1, "amount": "150000.00"}
        for i in range(PARALLEL)
    ]

    def check(statuses, answers):
        assert statuses == [201] * PARALLEL, (statuses, answers)
        created = Deployment.objects.filter(measure=measure, created_by=user)
        assert sorted(created.values_list("title", flat=True)) == sorted(b["title"] for b in bodies)
        assert Measure.objects.with_progress().get(pk=measure.pk).deployment_count == before + PARALLEL
        assert AuditEvent.objects.filter(action="valorisation.deployment.create", actor=user).count() == PARALLEL

    return Scenario(measure.pk, [(user, b) for b in bodies], check)


def race_apportionments():
    """Eight imports of a births table with two totals at once: each import is its own table
    and apportionment (the service reuses a result only for the same table), every one whole —
    18 régions, seats adding up to its total, identical for identical inputs."""
    from tests.valorisation.factories import BIRTHS
    from tpj.valorisation.models import Apportionment, BirthsTable

    user = _national()
    lines = [{"region": code, "births": n} for code, n in BIRTHS.items()]
    bodies = [{"year": 2024, "source": "INSEE", "total": 100 + i % 2, "births": lines} for i in range(PARALLEL)]

    def check(statuses, answers):
        assert statuses == [201] * PARALLEL, (statuses, answers)
        assert BirthsTable.objects.filter(imported_by=user).count() == PARALLEL
        results = Apportionment.objects.filter(created_by=user).prefetch_related("allocations")
        assert results.count() == PARALLEL
        seats = {}
        for result in results:
            assert result.allocations.count() == len(BIRTHS)
            assert sum(a.seats for a in result.allocations.all()) == result.total
            seats.setdefault(result.total, set()).add(tuple(sorted((a.region_id, a.seats) for a in result.allocations.all())))
        assert {total: len(variants) for total, variants in seats.items()} == {100: 1, 101: 1}

    return Scenario(None, [(user, b) for b in bodies], check)


# --- issue 18: the call's form, the derogation, the waiting list, the instruction team, the convention


def _pdf() -> tuple[str, bytes, str]:
    from tpj.calls.letters import simple_pdf

    return ("document.pdf", simple_pdf("Document", ["Pièce jointe."]), "application/pdf")


def _events(obj, *actions) -> list[str]:
    return list(AuditEvent.objects.for_object(obj).filter(action__in=actions).order_by("pk").values_list("action", flat=True))


def _form_draft():
    """A draft application to a call with its own questions and one required document."""
    from tests.calls.api.test_issue18_api import call_with_form
    from tpj.calls.services.applications import create_application

    call, questions, statuts = call_with_form()
    carrier = applicant()
    return create_application(carrier, call, content(call))[0], questions, statuts


def race_answers():
    """Eight different answers sent at once (PUT or PATCH): each saved whole, one of them stands
    entire — never the number of one with the text of another, never a duplicated answer."""
    from tpj.calls.models import ApplicationAnswer

    app, q, _ = _form_draft()
    bodies = [
        {"answers": [{"question": q["families"].pk, "value": str(i + 1)}, {"question": q["summary"].pk, "value": f"Résumé {i}"}]}
        for i in range(PARALLEL)
    ]

    def check(statuses, _):
        assert statuses == [200] * PARALLEL, statuses
        answers = ApplicationAnswer.objects.filter(application=app)
        assert answers.count() == 2
        families, summary = answers.get(question=q["families"]), answers.get(question=q["summary"])
        assert summary.text == f"Résumé {int(families.number) - 1}"

    return Scenario(app.pk, [(app.created_by, b) for b in bodies], check)


def race_answer_files():
    """Eight uploads of the same required document at once (multipart): each replaces the
    previous one, one file stays, every upload in the history."""
    from tpj.calls.models import ApplicationAnswer

    app, _, statuts = _form_draft()

    def check(statuses, _):
        assert statuses == [201] * PARALLEL, statuses
        answer = ApplicationAnswer.objects.get(application=app, document=statuts)
        assert answer.file and answer.file_name == "document.pdf"
        assert len(_events(app, "calls.application.attachment_added")) == PARALLEL

    body = {"item": f"document-{statuts.pk}"}
    return Scenario(app.pk, [(app.created_by, body)] * PARALLEL, check, files={"file": _pdf()})


def race_checklist():
    """Ticks and unticks of one point at once: one line, in the state of the last change recorded."""
    from tpj.calls.models import ChecklistTick
    from tpj.calls.services.instruction_team import checklist_labels

    call = make_call()
    app = submitted_application(call)
    label = checklist_labels(call)[0]

    def check(statuses, _):
        assert statuses == [200] * PARALLEL, statuses
        tick = ChecklistTick.objects.get(application=app, label=label)
        changes = AuditEvent.objects.for_object(app).filter(action="calls.application.checklist").order_by("pk")
        assert changes.count() == PARALLEL and changes.last().after["ticked"] == tick.ticked

    return Scenario(app.pk, [(call.manager, {"label": label, "ticked": i % 2 == 0}) for i in range(PARALLEL)], check)


def _scheduled():
    """A laureate of a decided call, its convention's schedule saved (70 % then 30 %)."""
    import datetime

    from tests.calls.test_conventions import DEFAULT
    from tpj.calls.services.conventions import save_schedule

    call, apps = decided_call()
    convention = save_schedule(apps[0], call.manager, DEFAULT, timezone.localdate() + datetime.timedelta(days=30))
    return call, apps[0], convention


def _issued():
    """The convention drawn (the test queue runs the drawing as the request commits)."""
    from tpj.calls.services.conventions import request_convention

    call, app, convention = _scheduled()
    request_convention(convention, call.manager)
    convention.refresh_from_db()
    return call, app, convention


def race_convention_schedule():
    """Eight different schedules at once: one convention, whose instalments are one schedule entire."""
    import datetime

    from tpj.calls.models import Convention

    call, apps = decided_call()
    app = apps[0]
    deadline = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    bodies = [
        {
            "signature_deadline": deadline,
            "instalments": [
                {"label": f"À la signature {i}", "percent": 50 + i},
                {"label": "Au rapport final", "percent": 50 - i},
            ],
        }
        for i in range(PARALLEL)
    ]

    def check(statuses, _):
        assert statuses == [200] * PARALLEL, statuses
        convention = Convention.objects.get(application=app)
        saved = [{"label": i.label, "percent": i.percent} for i in convention.instalments.order_by("pk")]
        assert saved in [b["instalments"] for b in bodies], saved
        assert len(_events(app, "calls.convention.schedule")) == PARALLEL

    return Scenario(app.pk, [(call.co_manager if i % 2 else call.manager, b) for i, b in enumerate(bodies)], check)


def race_convention_issue():
    """The convention asked to be drawn twice by each manager at once: one request, one drawing."""
    from tpj.calls.models import Convention

    call, app, convention = _scheduled()

    def check(statuses, _):
        once(statuses, expected=202, refused=(400,))
        convention.refresh_from_db()
        assert convention.state == Convention.State.ISSUED and convention.file
        assert _events(app, "calls.convention.requested", "calls.convention.issued") == [
            "calls.convention.requested",
            "calls.convention.issued",
        ]

    return Scenario(app.pk, [(call.co_manager if i % 2 else call.manager, {}) for i in range(PARALLEL)], check)


def race_convention_signed():
    """The signed copy given eight times at once (multipart): signed once."""
    from tpj.calls.models import Convention

    call, app, convention = _issued()

    def check(statuses, _):
        once(statuses, refused=(400,))
        convention.refresh_from_db()
        assert convention.state == Convention.State.SIGNED and convention.signed_file
        assert _events(app, "calls.convention.signed") == ["calls.convention.signed"]

    body = {"signed_on": timezone.localdate().isoformat()}
    return Scenario(app.pk, [(app.created_by, body)] * PARALLEL, check, files={"file": _pdf()})


def race_payments():
    """The first instalment's ARS share (42 000 €) paid whole or in halves, eight times at once:
    never more than it owes, each payment recorded once."""
    from tests.calls.test_conventions import signed_pdf
    from tpj.calls.models import Payment
    from tpj.calls.services.conventions import sign_convention

    call, app, convention = _issued()
    sign_convention(convention, call.manager, signed_pdf(), timezone.localdate())
    first = convention.instalments.order_by("pk").first()
    ars = app.requests.get(envelope__agency="ARS")
    bodies = [
        {
            "instalment": first.pk,
            "agency": "ARS",
            "amount": "42000" if i % 2 else "21000",
            "paid_on": timezone.localdate().isoformat(),
        }
        for i in range(PARALLEL)
    ]

    def check(statuses, _):
        assert set(statuses) <= {201, 400} and 201 in statuses, statuses
        accepted = sum((Decimal(b["amount"]) for s, b in zip(statuses, bodies, strict=True) if s == 201), Decimal(0))
        paid = sum(Payment.objects.filter(request=ars).values_list("amount", flat=True), Decimal(0))
        assert paid == accepted <= Decimal("42000"), (paid, accepted)
        assert len(_events(app, "calls.payment.recorded")) == statuses.count(201)

    return Scenario(app.pk, [(call.co_manager if i % 2 else call.manager, b) for i, b in enumerate(bodies)], check)


def _laureates_with_waiting_list():
    from tests.calls.test_waiting_list import with_waiting_list

    return with_waiting_list()


def race_renounce():
    """A laureate's withdrawal recorded eight times at once: once, its amounts given back once."""
    from tpj.calls.models import Application, Envelope

    call, apps = _laureates_with_waiting_list()
    app = apps[1]

    def check(statuses, _):
        once(statuses)
        app.refresh_from_db()
        assert app.state == Application.State.WITHDRAWN and transitions(app, "withdrawn") == 1
        allocated = dict(Envelope.objects.filter(call=call).values_list("agency", "allocated"))
        assert allocated == {"ARS": Decimal("60000"), "DREETS": Decimal("60000")}, allocated

    return Scenario(
        app.pk, [(call.co_manager if i % 2 else call.manager, {"reason": f"Renonce {i}"}) for i in range(PARALLEL)], check
    )


def race_promote():
    """A withdrawal frees 40 000 € per envelope; both applications of the waiting list promoted at
    once, each twice by each manager: one promotion, the envelopes never overrun."""
    from tests.calls.test_waiting_list import BOTH
    from tpj.calls.models import Application, Envelope
    from tpj.calls.services.decisions import renounce

    call, apps = _laureates_with_waiting_list()
    renounce(apps[1], call.manager, "Le porteur renonce.")
    body = {"reason": "Suivant sur la liste", "allocations": [{"agency": a, "amount": str(v)} for a, v in BOTH.items()]}
    waiting = [apps[2 + i % 2] for i in range(PARALLEL)]

    def check(statuses, _):
        once(statuses)
        allocated = dict(Envelope.objects.filter(call=call).values_list("agency", "allocated"))
        assert allocated == {"ARS": Decimal("100000"), "DREETS": Decimal("100000")}, allocated
        assert Application.objects.filter(call=call, state=Application.State.LAUREATE).count() == 2
        assert transitions(apps[2], "laureate") + transitions(apps[3], "laureate") == 1

    return Scenario(
        apps[2].pk,
        [(call.co_manager if i % 4 >= 2 else call.manager, body) for i in range(PARALLEL)],
        check,
        paths=[f"/api/v1/applications/{app.pk}/promote/" for app in waiting],
    )


def race_report():
    """The interim report sent eight times at once (multipart): received once, never replaced."""
    from tpj.calls.models import Report

    call, apps = decided_call()
    app = apps[0]

    def check(statuses, _):
        once(statuses, expected=201, refused=(400,))
        assert Report.objects.filter(application=app, received_on__isnull=False).count() == 1
        assert _events(app, "calls.report.received") == ["calls.report.received"]

    return Scenario(app.pk, [(app.created_by, {"kind": "interim"})] * PARALLEL, check, files={"file": _pdf()})


def race_derogation_request():
    from tests.calls.test_minimum_derogation import at_160k
    from tpj.calls.models import MinimumDerogation

    call, _ = at_160k()

    def check(statuses, _):
        once(statuses, expected=201, refused=(400,))
        assert MinimumDerogation.objects.filter(call=call).count() == 1
        assert _events(call, "calls.derogation.requested") == ["calls.derogation.requested"]

    return Scenario(
        call.pk,
        [(call.co_manager if i % 2 else call.manager, {"reason": f"Peu de porteurs {i}"}) for i in range(PARALLEL)],
        check,
    )


def race_derogation_decision():
    """The national team grants and refuses the derogation asked, at once: one answer to the
    request (a refusal may be followed by a derogation granted unasked, never the reverse)."""
    from tests.calls.test_minimum_derogation import at_160k
    from tests.factories import user_with_role
    from tpj.accounts.models import Role
    from tpj.calls.services.derogations import current_derogation, request_derogation

    call, _ = at_160k()
    request_derogation(call, call.manager, "Peu de porteurs")
    national = [user_with_role(Role.NATIONAL_TEAM) for _ in range(2)]
    bodies = [
        {"decision": "grant", "accepted": "160000", "reason": "Territoire peu doté"},
        {"decision": "refuse", "reason": "Lancez un second appel"},
    ]

    def check(statuses, _):
        assert set(statuses) <= {200, 400}, statuses
        events = _events(call, "calls.derogation.granted", "calls.derogation.refused")
        assert events in (
            ["calls.derogation.granted"],
            ["calls.derogation.refused"],
            ["calls.derogation.refused", "calls.derogation.granted"],
        ), events
        assert statuses.count(200) == len(events)
        current = current_derogation(call)
        assert (current is not None and current.state == "granted") == (events[-1] == "calls.derogation.granted")

    return Scenario(call.pk, [(national[i % 2], bodies[i % 2]) for i in range(PARALLEL)], check)


def _team_agent():
    from tests.calls.test_instruction_team import agent

    return agent("dreets", first_name="Nadia", last_name="Le Goff")


def race_add_instructor():
    """The same agent added by both managers, four times each, at once: one seat, told once."""
    from tpj.calls.models import Instructor

    call = make_call()
    colleague = _team_agent()

    def check(statuses, _):
        once(statuses, expected=201, refused=(400,))
        assert Instructor.objects.filter(call=call, user=colleague).count() == 1
        assert _events(call, "calls.instruction.instructor_added") == ["calls.instruction.instructor_added"]

    return Scenario(
        call.pk, [(call.co_manager if i % 2 else call.manager, {"email": colleague.email}) for i in range(PARALLEL)], check
    )


def race_remove_instructor():
    """One instructor removed eight times at once: removed once, their files with them."""
    from tpj.calls.models import InstructionAssignment, Instructor
    from tpj.calls.services.instruction_team import assign

    call = make_call()
    app = submitted_application(call)
    instructor = Instructor.objects.create(call=call, user=_team_agent(), added_by=call.manager)
    assign(call, call.manager, instructor, [app.pk])

    def check(statuses, _):
        once(statuses, expected=204, refused=(400, 404))
        assert not Instructor.objects.filter(call=call).exists() and not InstructionAssignment.objects.exists()
        assert _events(call, "calls.instruction.instructor_removed") == ["calls.instruction.instructor_removed"]

    return Scenario(
        call.pk,
        [(call.co_manager if i % 2 else call.manager, None) for i in range(PARALLEL)],
        check,
        paths=[f"/api/v1/calls/{call.pk}/instructors/{instructor.pk}/"] * PARALLEL,
    )


def race_assignments():
    """Two files given to one instructor eight times at once: each assigned once, told once."""
    from tpj.calls.models import InstructionAssignment, Instructor

    call = make_call()
    apps = [submitted_application(call, title=f"Projet {i}") for i in range(2)]
    colleague = _team_agent()
    Instructor.objects.create(call=call, user=colleague, added_by=call.manager)
    body = {"instructor": colleague.email, "applications": [a.pk for a in apps]}

    def check(statuses, answers):
        assert statuses == [200] * PARALLEL, (statuses, answers)
        assert sum(a["assigned"] for a in answers) == 2, answers
        assert InstructionAssignment.objects.filter(instructor__call=call).count() == 2
        assert sum(len(_events(a, "calls.instruction.assigned")) for a in apps) == 2

    return Scenario(call.pk, [(call.co_manager if i % 2 else call.manager, body) for i in range(PARALLEL)], check)


def race_call_form():
    """Eight edits of a draft call's form at once, each renaming its question and adding one:
    all saved, the question renamed by one of them, no addition lost or doubled."""
    from tpj.calls.models import Call, CallQuestion

    call = make_call(state=Call.State.DRAFT)
    question = CallQuestion.objects.create(call=call, label="Nombre de familles", kind="number")
    bodies = [
        {"questions": [{"id": question.pk, "label": f"Familles {i}", "kind": "number"}, {"label": f"Nouvelle {i}"}]}
        for i in range(PARALLEL)
    ]

    def check(statuses, _):
        assert statuses == [200] * PARALLEL, statuses
        question.refresh_from_db()
        assert question.label in {f"Familles {i}" for i in range(PARALLEL)}
        added = CallQuestion.objects.filter(call=call).exclude(pk=question.pk)
        assert sorted(added.values_list("label", flat=True)) == sorted(f"Nouvelle {i}" for i in range(PARALLEL))

    return Scenario(call.pk, [(call.co_manager if i % 2 else call.manager, b) for i, b in enumerate(bodies)], check)


def race_committee_file(body):
    """The committee's file asked for by both managers at once, four times each: every request
    is its own preparation (202), each recorded once, none lost nor merged."""

    def race():
        from tpj.downloads.models import ExportJob

        call, app = submitted()
        if "applications" in body:  # a file to gather (an application may carry one while information is asked)
            from django.core.files.uploadedfile import SimpleUploadedFile

            from tpj.calls.letters import simple_pdf
            from tpj.calls.services.applications import add_attachment

            app.state = "info_requested"
            app.save()
            add_attachment(app, app.created_by, "Budget", SimpleUploadedFile("x.pdf", simple_pdf("Budget", ["Budget"])))

        def check(statuses, bodies):
            assert statuses == [202] * PARALLEL, statuses
            ids = {b["id"] for b in bodies}
            assert len(ids) == PARALLEL and ExportJob.objects.filter(pk__in=ids).count() == PARALLEL

        request = {**body, "applications": [app.pk]} if "applications" in body else body
        return Scenario(call.pk, [(call.co_manager if i % 2 else call.manager, request) for i in range(PARALLEL)], check)

    return race


RACES = {
    "calls_committee_export_create": race_committee_file({"format": "xlsx", "version": "gestion"}),
    "calls_committee_attachments_create": race_committee_file({"applications": []}),
    "calls_create": race_call_creation,
    "calls_partial_update": race_call_definition,
    "calls_applications_create": lambda: race_application_creation_with()[0],
    "calls_publish_create": race_call_transition(draft_ready_to_publish, "published"),
    "calls_close_applications_create": race_call_transition(published, "closed"),
    "calls_decide_laureates_create": race_call_transition(closed_with_laureate, "laureates_decided"),
    "calls_transmit_create": race_call_transition(laureates_decided, "transmitted"),
    "calls_decisions_create": race_decisions,
    "applications_update": _draft_update,
    "applications_partial_update": _draft_update,
    "applications_submit_create": application_transition(draft, "submitted", by="carrier"),
    "applications_withdraw_create": application_transition(submitted, "withdrawn", by="carrier"),
    "applications_request_info_create": race_request_info,
    "applications_answer_info_create": race_answer_info,
    "applications_declare_eligible_create": application_transition(_eligible_candidate, "eligible"),
    "applications_declare_ineligible_create": application_transition(submitted, "ineligible", body={"reason": "Hors région"}),
    "applications_conflict_declaration_create": race_conflict_declaration,
    "applications_scores_create": race_scores,
    "entries_create": race_entry_creation,
    "entries_partial_update": race_entry_edit,
    "entries_submit_create": race_entry_submission,
    "entries_verify_create": race_moderation("verify"),
    "entries_reject_create": race_moderation("reject"),
    "entries_request_changes_create": race_moderation("request-changes"),
    "entries_suspend_create": race_suspension,
    "auth_token_create": race_token,
    "me_delete_create": race_account_deletion,
    "measures_deployments_create": race_deployments,
    "apportionments_create": race_apportionments,
    "calls_questions_partial_update": race_call_form,
    "applications_answers_update": race_answers,
    "applications_answers_partial_update": race_answers,
    "applications_answer_files_create": race_answer_files,
    "applications_checklist_create": race_checklist,
    "applications_convention_schedule_update": race_convention_schedule,
    "applications_convention_issue_create": race_convention_issue,
    "applications_convention_signed_create": race_convention_signed,
    "applications_convention_payments_create": race_payments,
    "applications_renounce_create": race_renounce,
    "applications_promote_create": race_promote,
    "applications_reports_create": race_report,
    "calls_derogation_request_create": race_derogation_request,
    "calls_derogation_decision_create": race_derogation_decision,
    "calls_instructors_create": race_add_instructor,
    "calls_instructors_destroy": race_remove_instructor,
    "calls_assignments_create": race_assignments,
    **TRAINING_RACES,  # the training API's writes (tests/training/api/races.py)
}


@pytest.mark.parametrize(("operation_id", "method", "path"), write_operations(), ids=lambda v: str(v))
def test_every_write_operation_of_the_api_survives_a_race(live_server, operation_id, method, path):
    race = RACES.get(operation_id)
    assert race is not None, (
        f"{method} {path} ({operation_id}) is not raced: declare how to race it in RACES (tests/reliability/test_races.py)"
    )
    scenario = race()
    paths = scenario.paths or [path] * len(scenario.requests)
    statuses, bodies = fire(method, [live_server.url + fill(p, scenario.id) for p in paths], scenario.requests, scenario.files)
    assert not [s for s in statuses if s >= 500], (statuses, bodies)
    scenario.check(statuses, bodies)


# --- the three cases of the issue, written out ---------------------------------------------------


def test_simultaneous_creations_of_the_same_call_create_one_and_answer_409_in_french(live_server):
    from tpj.calls.models import Call, Envelope

    campaign = CampaignFactory()
    ars = manager("ARS", "53")
    declared(ars, campaign)
    statuses, bodies = fire("POST", f"{live_server.url}/api/v1/calls/", [(ars, {"strand": "joint", "year": campaign.year})] * 12)
    assert statuses.count(201) == 1 and statuses.count(409) == 11, statuses
    assert all("existe déjà" in b["detail"] for s, b in zip(statuses, bodies, strict=True) if s == 409)
    assert Call.objects.filter(campaign=campaign).count() == 1
    assert Envelope.objects.filter(campaign=campaign).count() == 2


def test_half_contrary_conflict_declarations_keep_the_conflict(live_server):
    from tpj.calls.models import ScoreSheet
    from tpj.core.policy import check

    call, app, juror = jury_file()
    bodies = [{"has_conflict": i % 2 == 0, "note": "Ancien salarié du porteur" if i % 2 == 0 else ""} for i in range(20)]
    url = f"{live_server.url}/api/v1/applications/{app.pk}/conflict-declaration/"
    statuses, answers = fire("POST", url, [(juror, b) for b in bodies])
    assert set(statuses) <= {200, 409}, statuses
    sheet = ScoreSheet.objects.get(application=app, member__user=juror)
    declared = [b["has_conflict"] for s, b in zip(statuses, bodies, strict=True) if s == 200]
    assert sheet.has_conflict == (True in declared)
    if sheet.has_conflict:
        assert not check(juror, "calls.view_application", app)
        refused = [a["detail"] for s, a in zip(statuses, answers, strict=True) if s == 409]
        assert any("ne peut pas être retirée" in d for d in refused), refused
    # and afterwards, one by one: a declared conflict is never withdrawn
    if not sheet.has_conflict:
        assert fire("POST", url, [(juror, {"has_conflict": True, "note": "Découvert"})])[0] == [200]
    retry, answer = fire("POST", url, [(juror, {"has_conflict": False})])
    assert retry == [409] and "ne peut pas être retirée" in answer[0]["detail"]
    sheet.refresh_from_db()
    assert sheet.has_conflict


def test_simultaneous_jury_seatings_and_assignments_make_one_seat_and_one_sheet_each():
    """Eight managers' pages seating the same member, then eight assigning the files, at once
    (web forms: the jury has no API), each request in its own thread and connection."""
    from django.db import connection
    from django.test import Client

    from tpj.calls.models import JuryMember, ScoreSheet

    call, app, juror = jury_file()
    other = jury_user()
    url = f"/appels-a-projets/{call.pk}/jury/"

    def post(data):
        def one(_):
            page = Client()
            page.force_login(call.manager)
            barrier.wait()
            try:
                return page.post(url, data).status_code
            finally:
                connection.close()

        with ThreadPoolExecutor(PARALLEL) as pool:
            return list(pool.map(one, range(PARALLEL)))

    barrier = threading.Barrier(PARALLEL)
    seated = post({"email": other.email, "kind": "expert"})
    assert sorted(seated) == [302] + [400] * (PARALLEL - 1), seated
    assert JuryMember.objects.filter(call=call, user=other).count() == 1
    barrier = threading.Barrier(PARALLEL)
    assigned = post({"assign": "1"})
    assert assigned == [302] * PARALLEL, assigned
    assert ScoreSheet.objects.filter(application=app).count() == 2
    # the set-up's assignment (the first juror's sheet), then one that made the new member's sheet
    assert AuditEvent.objects.for_object(call).filter(action="calls.jury.assigned", after__sheets=1).count() == 2


def test_simultaneous_account_deletions_on_the_page_anonymise_once():
    """Eight tabs confirming « Supprimer mon compte » at once: one deletion, the others refused
    (409 with the French message, or the sign-in page once the session is gone), never a 500."""
    from django.db import connection
    from django.test import Client

    user = _member()

    def one(_):
        page = Client()
        page.force_login(user)
        barrier.wait()
        try:
            response = page.post(
                "/mes-donnees/supprimer-mon-compte/", {"confirmation": "SUPPRIMER", "password": "mot-de-passe-solide-42"}
            )
            return response.status_code, response.content.decode()
        finally:
            connection.close()

    barrier = threading.Barrier(PARALLEL)
    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(one, range(PARALLEL)))
    statuses = [s for s, _ in results]
    once(statuses, refused=(302, 400, 409))
    assert all("Ce compte a déjà été supprimé." in page for s, page in results if s == 409)
    assert AuditEvent.objects.filter(action="privacy.delete_account", actor=user).count() == 1
