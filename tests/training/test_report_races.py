"""Simultaneous bilans of one session (issue 20, journey 5), on PostgreSQL: two members' tabs
submitting at once make one bilan, never a 500 nor a duplicate, each submission audited."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.concurrency import CONCURRENT_ON_POSTGRES
from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, member_of
from tpj.audit.models import AuditEvent
from tpj.training.models import OfferState, ReportLine, SessionReport

pytestmark = CONCURRENT_ON_POSTGRES

PARALLEL = 6


def test_simultaneous_first_bilans_make_one():
    organisation = TrainingOrganisationFactory()
    members = [member_of(organisation) for _ in range(PARALLEL)]
    start = timezone.localdate() - datetime.timedelta(days=5)
    session = SessionFactory(
        offer=OfferFactory(organisation=organisation, state=OfferState.PUBLISHED),
        start_date=start,
        end_date=start + datetime.timedelta(days=1),
        capacity=20,
        seats_left=0,
    )
    url = reverse("training:session-report", args=[session.pk])
    barrier = threading.Barrier(PARALLEL)

    def one(index):
        page = Client()
        page.force_login(members[index])
        data = {
            "hours_delivered": "14",
            "lignes-TOTAL_FORMS": "1",
            "lignes-INITIAL_FORMS": "0",
            "lignes-0-audience": "eaje",
            "lignes-0-departement": "35",
            "lignes-0-participants": str(index + 1),
        }
        barrier.wait()
        try:
            return page.post(url, data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(one, range(PARALLEL)))
    assert statuses == [302] * PARALLEL, statuses
    report = SessionReport.objects.get(session=session)
    assert ReportLine.objects.filter(report=report).count() == 1
    assert AuditEvent.objects.for_object(report).filter(action="training.report.submit").count() == PARALLEL


def test_simultaneous_additions_of_an_offer_to_a_plan_make_one_line():
    from tests.factories import UserFactory
    from tests.training.factories import published_offer
    from tpj.training.models import PlanItem
    from tpj.training.services.plans import create_plan

    owner = UserFactory()
    plan = create_plan(owner, "Équipe du relais")
    offer = published_offer()
    url = reverse("training:add-to-plan", args=[offer.pk])
    barrier = threading.Barrier(PARALLEL)

    def one(_):
        page = Client()
        page.force_login(owner)
        barrier.wait()
        try:
            return page.post(url, {"plan": str(plan.pk)}).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(one, range(PARALLEL)))
    assert statuses == [302] * PARALLEL, statuses
    assert PlanItem.objects.filter(plan=plan, offer=offer).count() == 1
    assert AuditEvent.objects.for_object(plan).filter(action="training.plan.add").count() == 1
