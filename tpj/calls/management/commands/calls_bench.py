"""Build a call with N applications and J jurors, then time the ranking and allocation pages,
and the committee's full export as a worker builds it.

Used by tpj/calls/bench.py in a fresh database (never run it on real data): prints one
line `RESULT {json}`.
"""

import json
import random
import statistics
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tpj.accounts.demo import demo_siret
from tpj.accounts.models import Organisation, Role, RoleAssignment, ScopeLevel, User
from tpj.calls.models import (
    Application,
    ApplicationAnswer,
    Call,
    CallQuestion,
    Campaign,
    CriterionScore,
    EnvelopeRequest,
    JuryMember,
    QuestionKind,
    ScoreSheet,
)
from tpj.calls.services.calls import create_call
from tpj.calls.services.campaigns import declare_intent
from tpj.calls.services.jury import refresh_jury_stats, weighted_score
from tpj.downloads import builders
from tpj.downloads import services as export_services
from tpj.downloads.models import ExportJob

# The call's own form: 10 questions, every answer type among them (a file answer's stored file is
# named, not written: the committee export reads its name only).
K = QuestionKind
BENCH_QUESTIONS = [
    (K.SHORT_TEXT, []),
    (K.LONG_TEXT, []),
    (K.NUMBER, []),
    (K.AMOUNT, []),
    (K.DATE, []),
    (K.SINGLE_CHOICE, ["Parents", "Professionnels", "Enfants"]),
    (K.MULTIPLE_CHOICE, ["Domicile", "Crèche", "PMI", "École"]),
    (K.YES_NO, []),
    (K.FILE, []),
    (K.NUMBER, []),
]


def _answer(question, i: int, rng) -> dict:
    kind = question.kind
    if kind in (K.NUMBER, K.AMOUNT):
        return {"number": Decimal(rng.randint(0, 500_000))}
    if kind == K.DATE:
        return {"date": timezone.localdate()}
    if kind == K.SINGLE_CHOICE:
        return {"text": rng.choice(question.choices)}
    if kind == K.MULTIPLE_CHOICE:
        return {"choices": rng.sample(question.choices, 2)}
    if kind == K.YES_NO:
        return {"yes": bool(i % 2)}
    if kind == K.FILE:
        return {"file": f"calls/answers/banc-{i}.pdf", "file_name": f"Plan de financement {i}.pdf"}
    return {"text": f"Réponse {i} : " + "accompagnement des familles " * (8 if kind == K.LONG_TEXT else 1)}


def _user(email, org, role):
    user = User.objects.create_user(email=email, password="banc-d-essai-1000-jours", organisation=org)
    RoleAssignment.objects.create(user=user, role=role, scope_level=ScopeLevel.REGION, region_id="53")
    return user


@transaction.atomic
def build(n_applications: int, n_jurors: int):
    rng = random.Random(1000)
    year = timezone.localdate().year
    campaign, _ = Campaign.objects.get_or_create(year=year, defaults=Campaign.defaults_for(year))
    ars = Organisation.objects.create(name="ARS Bretagne (banc)", kind="ars", region_id="53", siret=demo_siret("ars-banc"))
    Organisation.objects.create(name="DREETS Bretagne (banc)", kind="dreets", region_id="53", siret=demo_siret("dreets-banc"))
    manager = _user("gestionnaire.banc@example.fr", ars, Role.CALL_MANAGER)
    declare_intent(manager, campaign, joint=True, referent_name="Référent banc", referent_email=manager.email)
    call = create_call(manager, campaign, Call.Strand.JOINT)
    envelopes = list(call.envelopes.all())
    for e in envelopes:
        e.local_top_up = Decimal("50000000")
        e.save()
    carriers = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Porteur banc {i}",
                kind="association",
                region_id="53",
                commune_id="35238",
                siret=demo_siret(f"porteur-banc-{i}"),
            )
            for i in range(n_applications)
        ]
    )
    now = timezone.now()
    apps = Application.objects.bulk_create(
        [
            Application(
                call=call,
                organisation=org,
                created_by=manager,
                reference=f"AAP{year}-53-{i + 1:04d}",
                state=Application.State.ELIGIBLE,
                title=f"Projet de banc d'essai n° {i + 1}",
                carrier_siret=org.siret,
                budget_total=Decimal("100000"),
                submitted_at=now,
            )
            for i, org in enumerate(carriers)
        ]
    )
    EnvelopeRequest.objects.bulk_create(
        [EnvelopeRequest(application=a, envelope=e, amount_requested=Decimal("30000")) for a in apps for e in envelopes]
    )
    questions = CallQuestion.objects.bulk_create(
        [
            CallQuestion(call=call, label=f"Question {k + 1}", kind=kind, choices=choices, position=k, required=k < 5)
            for k, (kind, choices) in enumerate(BENCH_QUESTIONS)
        ]
    )
    ApplicationAnswer.objects.bulk_create(
        [ApplicationAnswer(application=a, question=q, **_answer(q, i, rng)) for i, a in enumerate(apps) for q in questions],
        batch_size=5000,
    )
    juror_org = Organisation.objects.create(name="CAF (banc)", kind="caf", region_id="53", siret=demo_siret("caf-banc"))
    members = [
        JuryMember.objects.create(call=call, user=_user(f"jure{j}.banc@example.fr", juror_org, Role.JURY_MEMBER), kind="funder")
        for j in range(n_jurors)
    ]
    criteria = list(call.criteria.all())
    sheets, scores = [], []
    for a in apps:
        for m in members:
            values = {c.pk: (rng.randint(0, c.max_score), False) for c in criteria}
            missing = rng.random() < 0.05
            sheets.append(
                ScoreSheet(
                    member=m,
                    application=a,
                    conflict_declared_at=now,
                    submitted_at=None if missing else now,
                    weighted_score=None if missing else weighted_score(criteria, values),
                )
            )
            scores.append(values)
    ScoreSheet.objects.bulk_create(sheets, batch_size=2000)
    CriterionScore.objects.bulk_create(
        [
            CriterionScore(sheet=s, criterion_id=cid, value=v)
            for s, values in zip(sheets, scores, strict=True)
            for cid, (v, _) in values.items()
        ],
        batch_size=5000,
    )
    refresh_jury_stats([a.pk for a in apps])
    Call.objects.filter(pk=call.pk).update(state=Call.State.CLOSED)
    return call, manager


def measure(client, url, repeat):
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return {
        "url": url,
        "p50": statistics.median(timings),
        "p95": timings[int(0.95 * (len(timings) - 1))],
        "max": timings[-1],
        "queries": len(queries),
        "repeat": repeat,
    }


def committee_exports(call, manager) -> dict:
    """Time the committee's full export (with the answers to the call's questions) as a worker
    builds it (tpj.downloads.services.build, the file written to the storage), once per format."""
    timings = {}
    for kind, label in (("calls.committee.xlsx", "Export du comité (XLSX)"), ("calls.committee.csv", "Export du comité (CSV)")):
        builder = builders.get(kind)
        parameters = {"call": call.pk, "version": "gestion"}
        job = ExportJob.objects.create(
            requested_by=manager,
            kind=kind,
            title=label,
            parameters=parameters,
            filename=builder.filename(parameters),
            content_type=builder.content_type,
            format_label=builder.format_label,
        )
        start = time.perf_counter()
        assert export_services.build(job.pk), kind
        seconds = time.perf_counter() - start
        job.refresh_from_db()
        timings[label] = {"seconds": seconds, "rows": job.rows_written, "bytes": job.size}
    return timings


class Command(BaseCommand):
    help = "Banc d'essai du module Appels à projets (base jetable)."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=1000)
        parser.add_argument("--jurors", type=int, default=12)
        parser.add_argument("--repeat", type=int, default=50)

    def handle(self, *args, **o):
        start = time.perf_counter()
        call, manager = build(o["applications"], o["jurors"])
        built = time.perf_counter() - start
        client = Client()
        client.force_login(manager)
        pages = {
            "Classement (page 1, 50 dossiers)": f"/appels-a-projets/{call.pk}/classement/",
            "Classement (page 10)": f"/appels-a-projets/{call.pk}/classement/?page=10",
            "Décisions et enveloppes (page 1, 25 dossiers)": f"/appels-a-projets/{call.pk}/decisions/",
            "API classement (50 dossiers)": f"/api/v1/calls/{call.pk}/ranking/",
        }
        results = {label: measure(client, url, o["repeat"]) for label, url in pages.items()}
        exports = committee_exports(call, manager)
        self.stdout.write(
            "RESULT "
            + json.dumps(
                {
                    "vendor": connection.vendor,
                    "build_seconds": built,
                    "applications": o["applications"],
                    "jurors": o["jurors"],
                    "sheets": ScoreSheet.objects.count(),
                    "answers": ApplicationAnswer.objects.count(),
                    "pages": results,
                    "exports": exports,
                }
            )
        )
