"""The same registration sent twice (a double click on « Enregistrer », an API client retrying
after a timeout) creates one entry: the form carries a creation token, the API accepts one, and
the database's unique index decides when both arrive at once (test_creation_replay_race)."""

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tpj.audit.models import AuditEvent
from tpj.registry.models import Entry

from .factories import form_data
from .test_api import LIST, payload


@pytest.mark.django_db
def test_the_form_sent_twice_creates_one_entry(client, member):
    client.force_login(member)
    page = client.get(reverse("registry:create")).content.decode()
    token = page.split('name="fiche-client_token" value="', 1)[1].split('"', 1)[0]
    assert uuid.UUID(token)
    data = {**form_data(), "fiche-client_token": token}

    first = client.post(reverse("registry:create"), data)
    second = client.post(reverse("registry:create"), data)

    entry = Entry.objects.get()
    assert first["Location"] == second["Location"] == reverse("registry:entry", args=[entry.pk])
    assert AuditEvent.objects.filter(action="registry.create").count() == 1
    # A new form is a new registration.
    client.post(reverse("registry:create"), {**form_data(), "fiche-client_token": str(uuid.uuid4())})
    assert Entry.objects.count() == 2


@pytest.mark.django_db
def test_the_api_replays_the_first_creation_and_refuses_someone_elses_token(member):
    api = APIClient()
    api.force_authenticate(member)
    token = str(uuid.uuid4())

    created = api.post(LIST, payload(client_token=token), format="json")
    replayed = api.post(LIST, payload(client_token=token), format="json")

    assert (created.status_code, replayed.status_code) == (201, 200)
    assert created.json()["id"] == replayed.json()["id"] and Entry.objects.count() == 1
    api.force_authenticate(UserFactory())
    stolen = api.post(LIST, payload(client_token=token), format="json")
    assert stolen.status_code == 400 and "appartient à une autre fiche" in str(stolen.json())
    assert Entry.objects.count() == 1
    api.force_authenticate(member)
    assert api.post(LIST, payload(client_token="pas-un-uuid"), format="json").status_code == 400
