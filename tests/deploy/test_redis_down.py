"""Redis stopped (issue 15, faults): the web nodes keep serving pages.

The cache and the queue are pointed at a port where nothing listens (the machine's Redis is
never stopped: other tests use it). Pages, the public map API and a login still work; the
health check names what is down; a background action that cannot be queued says so in
French; the login lockout, which counts in the cache, lets people in (and the outage is logged).
"""

import logging

import pytest
from django.urls import reverse
from huey.contrib.djhuey import db_task

from tests.factories import UserFactory
from tests.registry.factories import verified_entry
from tpj.core.queue import UNAVAILABLE_MESSAGE, QueueUnavailable, enqueue, enqueue_quietly

pytestmark = pytest.mark.django_db

PASSWORD = "une-phrase-de-passe-solide"


@db_task()
def touch(n):  # a task of this test only: never runs, the queue is down
    return n


@pytest.fixture
def redis_down(cache_down, queue_down):
    return None


def test_pages_and_the_map_api_are_served(client, redis_down):
    verified_entry(name="Crèche des Tilleuls")
    assert client.get(reverse("core:home")).status_code == 200
    directory = client.get(reverse("registry:directory"))
    assert directory.status_code == 200 and "Crèche des Tilleuls" in directory.content.decode()
    response = client.get(reverse("api-registry-map"), {"niveau": "region"})
    assert response.status_code == 200, response.content


def test_a_login_opens_a_session_that_the_next_page_accepts(client, redis_down, caplog):
    UserFactory(email="claire@example.fr", password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="tpj.cache"):
        response = client.post(reverse("accounts:login"), {"email": "claire@example.fr", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("workspace:index")
    assert client.get(reverse("workspace:index")).status_code == 200  # the session is in the database
    assert any(record.name == "tpj.cache" for record in caplog.records)  # the operator sees the outage


def test_the_lockout_fails_open_while_the_cache_is_down(client, settings, redis_down):
    """Counting failures needs the cache: while it is down, the right password still lets its owner in."""
    UserFactory(email="claire@example.fr", password=PASSWORD)
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 1):
        client.post(reverse("accounts:login"), {"email": "claire@example.fr", "password": "pas-le-bon-mot-de-passe"})
    response = client.post(reverse("accounts:login"), {"email": "claire@example.fr", "password": PASSWORD})
    assert response.status_code == 302


def test_the_health_check_names_the_queue_and_the_cache(client, redis_down):
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["queue"] == "indisponible" and response.json()["cache"] == "indisponible"
    assert "file d'attente" in response.json()["message"]


def test_a_background_action_that_cannot_be_queued_says_so_in_french(redis_down):
    with pytest.raises(QueueUnavailable) as refused:
        enqueue(touch, 1)
    assert refused.value.message == UNAVAILABLE_MESSAGE
    assert "momentanément indisponible" in UNAVAILABLE_MESSAGE and "sans action de votre part" in UNAVAILABLE_MESSAGE
    assert enqueue_quietly(touch, 2) is False  # the work waits for the periodic recovery
