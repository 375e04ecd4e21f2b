"""Who reaches « Mon espace », and the old address."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.workspace.helpers import page_text

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/mon-espace/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_old_address_leads_to_the_workspace(client):
    response = client.get("/comptes/mon-espace/")
    assert response.status_code == 301 and response["Location"] == "/mon-espace/"


def test_login_leads_to_the_workspace(client):
    user = UserFactory()
    response = client.post(reverse("accounts:login"), {"email": user.email, "password": "mot-de-passe-solide-42"})
    assert response.status_code == 302 and response["Location"] == "/mon-espace/"


def test_a_person_without_role_is_offered_to_register_an_activity(client):
    client.force_login(UserFactory())
    body = page_text(client.get("/mon-espace/"))
    assert "Inscrire votre activité dans l'annuaire" in body
    assert reverse("registry:create") in body
    assert "Modération de l'annuaire" not in body and "Pilotage national" not in body
