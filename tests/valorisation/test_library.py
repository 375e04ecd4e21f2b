"""Shared library of calls: every call, in preparation or launched, readable by every région's managers."""

import html

import pytest
from django.urls import reverse

from tests.calls.factories import make_call, manager
from tests.factories import user_with_role
from tpj.accounts.models import Role
from tpj.calls.models import Call

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def calls():
    draft = make_call("ars", region="76", state=Call.State.DRAFT)
    draft.summary = "Un appel ciblé sur les quartiers prioritaires et l'éveil culturel."
    draft.save()
    launched = make_call("joint", region="53")
    return draft, launched


def test_a_manager_reads_another_regions_call_in_preparation_with_its_document(client, calls):
    draft, _ = calls
    client.force_login(manager("ARS", "53"))
    page = text(client.get(reverse("valorisation:library")))
    assert "1000 premiers jours en Occitanie" in page and "En préparation" in page and "1000 premiers jours en Bretagne" in page
    detail = text(client.get(reverse("valorisation:library-call", args=[draft.pk])))
    assert "Cahier des charges (PDF)" in detail and "Critères de sélection" in detail
    document = client.get(reverse("valorisation:library-document", args=[draft.pk]))
    assert document.status_code == 200 and b"".join(document.streaming_content).startswith(b"%PDF")


def test_library_is_searchable_and_filterable(client, calls):
    client.force_login(user_with_role(Role.NATIONAL_TEAM))
    url = reverse("valorisation:library")
    assert [c.region_id for c in client.get(url, {"q": "quartiers EVEIL"}).context["calls"]] == ["76"]
    assert [c.region_id for c in client.get(url, {"etat": "lance"}).context["calls"]] == ["53"]
    assert [c.region_id for c in client.get(url, {"etat": "preparation"}).context["calls"]] == ["76"]
    assert [c.region_id for c in client.get(url, {"region": "53"}).context["calls"]] == ["53"]


def test_library_is_not_public(client, calls):
    assert client.get(reverse("valorisation:library")).status_code == 302
    client.force_login(user_with_role(Role.APPLICANT))
    response = client.get(reverse("valorisation:library-document", args=[calls[0].pk]))
    assert response.status_code == 403 and "réservée aux référents régionaux" in text(response)
