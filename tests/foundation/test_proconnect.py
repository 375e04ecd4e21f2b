"""ProConnect (OpenID Connect) login against a fake provider: no network.

The test plays the provider: it signs an id_token (and a JWT userinfo, as ProConnect
does) with an RSA key generated here, serves its JWKS, and answers the token endpoint,
by patching the HTTP calls of mozilla-django-oidc.
"""

import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from tests.factories import UserFactory
from tpj.accounts.models import User
from tpj.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ISSUER = "https://proconnect.test/api/v2"
CLIENT_ID = "plateforme-1000-jours"


@pytest.fixture
def proconnect(settings):
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = ["tpj.accounts.backends.EmailBackend", "tpj.accounts.oidc.ProConnectBackend"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{ISSUER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{ISSUER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{ISSUER}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{ISSUER}/jwks"
    return FakeProvider()


class Response:
    def __init__(self, *, json=None, text="", content_type="application/json", status_code=200):
        self._json, self.text, self.status_code = json, text, status_code
        self.headers = {"content-type": content_type}
        self.url = "fake"

    def json(self):
        return self._json

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


class FakeProvider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        self.jwks = {"keys": [{**jwk, "kid": "cle-1", "alg": "RS256", "use": "sig"}]}
        self.claims = {}
        self.calls = []

    def sign(self, claims, key=None):
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": "cle-1"})

    def post(self, url, data=None, **kwargs):
        self.calls.append(("POST", url))
        assert url == f"{ISSUER}/token" and data["code"] == "code-autorisation" and data["client_id"] == CLIENT_ID
        now = int(time.time())
        id_token = self.sign(
            {
                "iss": ISSUER,
                "aud": CLIENT_ID,
                "sub": "agent-42",
                "nonce": self.nonce,
                "iat": now,
                "exp": now + 60,
                "acr": "eidas1",
            },
            key=getattr(self, "forged_key", None),
        )
        return Response(json={"access_token": "jeton-acces", "id_token": id_token, "token_type": "Bearer"})

    def get(self, url, headers=None, **kwargs):
        self.calls.append(("GET", url))
        if url == f"{ISSUER}/jwks":
            return Response(json=self.jwks)
        assert url == f"{ISSUER}/userinfo" and headers["Authorization"] == "Bearer jeton-acces"
        # ProConnect answers userinfo as a signed JWT.
        return Response(text=self.sign({"sub": "agent-42", **self.claims}), content_type="application/jwt")


def _log_in_with_proconnect(client, provider, claims, next_url=None):
    provider.claims = claims
    start = client.get(reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    authorize = urlsplit(start["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{ISSUER}/authorize"
    params = parse_qs(authorize.query)
    assert params["client_id"] == [CLIENT_ID] and "openid" in params["scope"][0] and "email" in params["scope"][0]
    provider.nonce = params["nonce"][0]
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", provider.post),
        mock.patch("mozilla_django_oidc.auth.requests.get", provider.get),
    ):
        return client.get(reverse("oidc_authentication_callback"), {"code": "code-autorisation", "state": params["state"][0]})


CLAIMS = {"email": "Agent.Public@Ars.Sante.fr", "given_name": "Agnès", "usual_name": "Publique", "siret": "13002526500013"}


def test_a_new_civil_servant_gets_a_confirmed_account_and_is_signed_in(client, proconnect):
    response = _log_in_with_proconnect(client, proconnect, CLAIMS)
    assert response.status_code == 302 and response["Location"] == "/mon-espace/"
    user = User.objects.get(email="agent.public@ars.sante.fr")
    assert (user.first_name, user.last_name) == ("Agnès", "Publique")
    assert user.is_active and user.email_confirmed_at is not None
    assert not user.has_usable_password()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/mon-espace/").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.proconnect_sign_up", actor=user).exists()
    assert [c[1].rsplit("/", 1)[1] for c in proconnect.calls] == ["token", "jwks", "userinfo", "jwks"]


def test_an_existing_account_is_reused_and_its_email_confirmed(client, proconnect):
    existing = UserFactory(email="agent.public@ars.sante.fr", unconfirmed=True)
    response = _log_in_with_proconnect(client, proconnect, CLAIMS, next_url="/journal/")
    assert response["Location"] == "/journal/"
    existing.refresh_from_db()
    assert existing.is_active and existing.email_confirmed_at is not None
    assert User.objects.count() == 1
    assert int(client.session["_auth_user_id"]) == existing.pk


def test_an_account_disabled_by_an_administrator_stays_out(client, proconnect):
    UserFactory(email="agent.public@ars.sante.fr", disabled=True)
    response = _log_in_with_proconnect(client, proconnect, CLAIMS)
    assert response["Location"] == "/comptes/connexion/?proconnect=echec"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "La connexion avec ProConnect n&#x27;a pas abouti." in page


def test_an_id_token_signed_by_another_key_is_refused(client, proconnect):
    proconnect.forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = _log_in_with_proconnect(client, proconnect, CLAIMS)
    assert response.status_code == 400  # SuspiciousOperation: "JWS token verification failed."
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_claims_without_email_are_refused(client, proconnect):
    response = _log_in_with_proconnect(client, proconnect, {"given_name": "Sans", "usual_name": "Adresse"})
    assert response["Location"] == "/comptes/connexion/?proconnect=echec"
    assert not User.objects.exists()


def test_the_login_page_shows_proconnect_only_when_enabled(client, settings):
    assert "ProConnect" not in client.get("/comptes/connexion/").content.decode()
    settings.OIDC_ENABLED = True
    body = client.get("/comptes/connexion/").content.decode()
    assert 'class="fr-connect"' in body and f'href="{reverse("oidc_authentication_init")}"' in body


def test_proconnect_is_off_by_default(client):
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
