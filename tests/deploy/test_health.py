"""/sante/, the load balancer's health check: database, cache and queue, in French (issue 15 §5)."""

import logging
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from tpj.core.logging import RequestIdFilter

pytestmark = pytest.mark.django_db

HEALTH = "/sante/"


def test_all_services_answer_200_without_login_on_any_node_address():
    """A load balancer probes each node by its own address, in plain HTTP, with no session nor CSRF token."""
    client = Client(enforce_csrf_checks=True, HTTP_HOST="10.0.0.7:8000")  # not in ALLOWED_HOSTS
    response = client.get(HEALTH)
    assert response.status_code == 200
    assert response.json() == {
        "status": "disponible",
        "database": "disponible",
        "cache": "disponible",
        "queue": "disponible",
        "message": "Tous les services répondent.",
    }
    assert "no-cache" in response["Cache-Control"]
    assert client.head(HEALTH).status_code == 200
    assert client.post(HEALTH).status_code == 405


def test_the_https_redirect_of_production_spares_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(HEALTH).status_code == 200
    assert client.get("/").status_code == 301  # every page is redirected to HTTPS


def test_a_queue_that_is_down_is_a_503_naming_it(client, queue_down):
    response = client.get(HEALTH)
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["cache"], body["queue"]) == (
        "indisponible",
        "disponible",
        "disponible",
        "indisponible",
    )
    assert body["message"] == "Service dégradé : file d'attente indisponible."


def test_a_cache_that_is_down_is_a_503_naming_it(client, cache_down):
    response = client.get(HEALTH)
    assert response.status_code == 503
    assert response.json()["message"] == "Service dégradé : cache indisponible."


def test_a_database_that_is_down_is_a_503_not_a_500(client):
    with mock.patch("tpj.core.views_health.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get(HEALTH)
    assert response.status_code == 503
    assert response.json()["database"] == "indisponible"
    assert response.json()["message"] == "Service dégradé : base de données indisponible."


def test_several_services_down_are_all_named_in_one_plural_message(client, cache_down, queue_down):
    response = client.get(HEALTH)
    assert response.status_code == 503
    assert response.json()["message"] == "Service dégradé : cache, file d'attente indisponibles."


def test_every_response_carries_a_request_id_and_keeps_the_load_balancer_s(client):
    assert len(client.get(HEALTH)["X-Request-ID"]) == 32
    assert client.get("/", HTTP_X_REQUEST_ID="lb-4f2a9c")["X-Request-ID"] == "lb-4f2a9c"
    # An id that could forge a log line is replaced by one of ours.
    assert client.get("/", HTTP_X_REQUEST_ID='x" level=ERROR')["X-Request-ID"] != 'x" level=ERROR'


def test_what_a_request_logs_carries_its_id(client, queue_down, caplog):
    caplog.handler.addFilter(RequestIdFilter())  # as the LOGGING setting's handler does
    with caplog.at_level(logging.WARNING, logger="tpj.core.queue"):
        response = client.get(HEALTH, HTTP_X_REQUEST_ID="lb-77")
    outage = [record for record in caplog.records if record.name == "tpj.core.queue"]
    assert outage and all(record.request_id == "lb-77" == response["X-Request-ID"] for record in outage)
