"""Four identical creations at once, with one creation token, leave one entry (PostgreSQL)."""

import threading
import uuid

from django.db import connections
from django.test import Client

from tests.concurrency import CONCURRENT_ON_POSTGRES
from tpj.registry.models import Entry

from .test_api import LIST, payload

pytestmark = CONCURRENT_ON_POSTGRES


def test_four_identical_creations_at_once_leave_one_entry(member):
    token = str(uuid.uuid4())
    barrier = threading.Barrier(4)
    statuses, bodies = [], []

    def create():
        client = Client()
        client.force_login(member)
        barrier.wait(30)
        try:
            response = client.post(LIST, payload(client_token=token), content_type="application/json")
            statuses.append(response.status_code)
            bodies.append(response.content[:300])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # One creation; the others replay it (200). A replay that checks the model's constraints after
    # the winner's commit (full_clean) once answered 400 « contrainte … client_token »: it is a
    # replay too (tpj/core/creation_tokens.py). The bodies are kept in the message.
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, bodies
    assert Entry.objects.filter(client_token=token).count() == 1
