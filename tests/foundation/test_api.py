import pytest
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory, user_with_role
from tpj.accounts.models import Role

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-42"  # UserFactory's
TOKEN_URL = "/api/v1/auth/token/"


def test_valid_credentials_return_a_token_usable_on_me(api_client):
    user = user_with_role(Role.CALL_MANAGER, region="53", email="anne@example.fr")
    response = api_client.post(TOKEN_URL, {"email": "Anne@Example.fr", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=user).key == token
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/").json()
    assert me["email"] == "anne@example.fr"
    assert me["roles"] == [{"role": "call_manager", "scope_level": "region", "region": "53", "departements": []}]


def test_asking_twice_returns_the_same_token(api_client):
    UserFactory(email="deux@example.fr")
    first = api_client.post(TOKEN_URL, {"email": "deux@example.fr", "password": PASSWORD}, format="json").json()
    second = api_client.post(TOKEN_URL, {"email": "deux@example.fr", "password": PASSWORD}, format="json").json()
    assert first == second


def test_wrong_password_gets_a_french_error_and_no_token(api_client):
    UserFactory(email="faux@example.fr")
    response = api_client.post(TOKEN_URL, {"email": "faux@example.fr", "password": "pas-le-bon"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Adresse e-mail ou mot de passe incorrect."]}
    assert not Token.objects.exists()


def test_disabled_user_gets_a_clear_french_message(api_client):
    UserFactory(email="parti@example.fr", disabled=True)
    response = api_client.post(TOKEN_URL, {"email": "parti@example.fr", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Ce compte est désactivé. Contactez l'administrateur de la plateforme."]}


def test_missing_fields_get_a_french_message_per_field(api_client):
    response = api_client.post(TOKEN_URL, {"email": "pas-une-adresse"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"email": ["Saisissez une adresse e-mail valide."], "password": ["Ce champ est obligatoire."]}


def test_the_token_of_a_since_disabled_user_is_refused(api_client):
    user = UserFactory(email="bientot-parti@example.fr")
    token = Token.objects.create(user=user)
    user.is_active = False
    user.save()  # deactivation revokes the token (tpj/accounts/signals.py)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Jeton non valide."}
    # A token left by a path that sends no signal (a bulk update) is still refused.
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Ce compte est désactivé. Contactez l'administrateur de la plateforme."}


def test_an_unknown_token_is_refused_in_french(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Jeton non valide."}


def test_me_requires_authentication(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "Informations d'authentification non fournies."


def test_session_authentication_works_on_the_api(client):
    client.force_login(UserFactory(email="session@example.fr"))
    assert client.get("/api/v1/me/").json()["email"] == "session@example.fr"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/regions/",
        "/api/v1/departements/",
        "/api/v1/communes/",
        "/api/v1/communes/?q=saint",
        "/api/v1/priorities/",
        "/api/v1/axes/",
        "/api/v1/eligibility-situations/",
        "/api/v1/categories/",
        "/api/v1/entry-kinds/",
        "/api/v1/funding-sources/",
        "/api/v1/training-themes/",
    ],
)
def test_every_list_is_paginated(api_client, url):
    body = api_client.get(url).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) <= 50


def test_pagination_follows_next_links_and_honours_page_size(api_client):
    page1 = api_client.get("/api/v1/departements/", {"page_size": 40}).json()
    assert page1["count"] == 101 and len(page1["results"]) == 40 and page1["previous"] is None
    page3 = api_client.get(api_client.get(page1["next"]).json()["next"]).json()
    assert len(page3["results"]) == 21 and page3["next"] is None
    codes = {d["code"] for d in page1["results"]} | {d["code"] for d in page3["results"]}
    assert len(codes) == 61


def test_a_page_out_of_range_is_a_french_404(api_client):
    response = api_client.get("/api/v1/regions/", {"page": 99})
    assert response.status_code == 404
    assert response.json()["detail"] == "Page non valide."


def test_unknown_api_url_is_404(api_client):
    assert api_client.get("/api/v1/regions/99/").status_code == 404


def test_communes_filter_by_departement_and_unknown_query_is_empty(api_client):
    assert (
        api_client.get("/api/v1/communes/", {"departement": "29", "q": "quimper"}).json()["results"][0]["insee_code"] == "29232"
    )
    assert api_client.get("/api/v1/communes/", {"q": "zzzzqqq"}).json()["count"] == 0


def test_departements_filter_by_region(api_client):
    body = api_client.get("/api/v1/departements/", {"region": "53"}).json()
    assert sorted(d["code"] for d in body["results"]) == ["22", "29", "35", "56"]


def test_openapi_schema_documents_the_foundation_endpoints(api_client):
    response = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/auth/token/", "/api/v1/me/", "/api/v1/regions/", "/api/v1/communes/", "/api/v1/priorities/"]:
        assert path in paths
    assert {"name": "q", "in": "query"}.items() <= paths["/api/v1/communes/"]["get"]["parameters"][0].items() or any(
        p["name"] == "q" for p in paths["/api/v1/communes/"]["get"]["parameters"]
    )


def test_browsable_docs_are_served(client):
    assert client.get("/api/v1/docs/").status_code == 200


def test_model_validation_and_policy_refusals_become_french_json_errors():
    from django.core.exceptions import ValidationError

    from tpj.core.api import exception_handler
    from tpj.core.policy import PermissionDenied

    response = exception_handler(ValidationError({"siret": ["Ce SIRET est invalide."], "__all__": ["Incohérent."]}), {})
    assert response.status_code == 400
    assert response.data == {"siret": ["Ce SIRET est invalide."], "non_field_errors": ["Incohérent."]}
    response = exception_handler(PermissionDenied("Hors de votre périmètre (Bretagne)."), {})
    assert response.status_code == 403 and response.data == {"detail": "Hors de votre périmètre (Bretagne)."}
    assert exception_handler(RuntimeError("boom"), {}) is None  # left to the 500 handler
