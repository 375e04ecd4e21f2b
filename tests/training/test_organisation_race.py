"""Two registrations of one SIRET at the same moment both pass the form's check: one
organisation is registered, the other person reads why and how to join it — no error page
(PostgreSQL)."""

import html
import threading

from django.db import connections
from django.test import Client
from django.urls import reverse

from tests.concurrency import CONCURRENT_ON_POSTGRES
from tests.factories import UserFactory
from tpj.training.models import TrainingOrganisation

pytestmark = CONCURRENT_ON_POSTGRES


def test_two_registrations_of_one_siret_at_once_leave_one_organisation_and_a_french_message():
    users = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    responses = []

    def register(user):
        client = Client()
        client.force_login(user)
        data = {
            "name": "Institut petite enfance",
            "siret": "73282932000074",
            "activity_number": "53350000035",
            "qualiopi": "",
            "commune": "Brest",
        }
        barrier.wait(30)
        try:
            responses.append(client.post(reverse("training:register-organisation"), data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "portant ce SIRET est déjà inscrit" in html.unescape(refused.content.decode())
    organisation = TrainingOrganisation.objects.get()
    assert organisation.members.count() == 1
