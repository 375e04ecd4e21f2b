"""Both sides writing the first messages of a file at the same moment (PostgreSQL, committed
transactions over HTTP): one thread, every message kept, no error page."""

import threading

from django.db import connections
from django.test import Client

from tests.concurrency import CONCURRENT_ON_POSTGRES
from tpj.conversations.models import Message, ReadMark, Thread

pytestmark = CONCURRENT_ON_POSTGRES


def test_first_messages_of_both_sides_at_once_make_one_thread_and_keep_them_all(application_file):
    writers = [application_file.manager, application_file.co_manager, application_file.carrier, application_file.colleague] * 2
    barrier = threading.Barrier(len(writers))
    statuses = []

    def write(user, n):
        client = Client()
        client.force_login(user, backend="tpj.accounts.backends.EmailBackend")
        barrier.wait(30)
        try:
            response = client.post(f"/echanges/candidature/{application_file.app.pk}/", {"body": f"Message {n}"})
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(user, n)) for n, user in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(statuses) == len(writers) and all(status in (200, 302) for status in statuses), statuses
    assert Thread.objects.count() == 1
    assert sorted(Message.objects.values_list("body", flat=True)) == sorted(f"Message {n}" for n in range(len(writers)))
    assert ReadMark.objects.count() == 2  # one per side, however many wrote at once
