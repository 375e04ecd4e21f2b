"""The decisions page before the list is decided: a file on the waiting list shows the decision
taken (« Liste d'attente » and its reason), so that saving its form again does not make it a
laureate by default."""

import pytest
from django.urls import reverse

from tests.calls.factories import decidable
from tpj.calls.services.decisions import decide

pytestmark = pytest.mark.django_db


def test_a_waiting_file_keeps_its_decision_in_its_form(client):
    call, apps = decidable()
    waiting, undecided = apps[0], apps[1]
    decide(waiting, call.manager, "waiting_list", "Bon projet, crédits épuisés")
    client.force_login(call.manager)

    html = client.get(reverse("calls:allocation", args=[call.pk])).content.decode()

    waiting_form = html.split(f'name="d{waiting.pk}-outcome"')[1].split("</select>")[0]
    assert '<option value="waiting_list" selected>' in waiting_form
    assert "Bon projet, crédits épuisés</textarea>" in html
    undecided_form = html.split(f'name="d{undecided.pk}-outcome"')[1].split("</select>")[0]
    assert '<option value="laureate" selected>' in undecided_form
