import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from tpj.accounts.checks import no_demo_accounts_outside_demo_mode
from tpj.accounts.models import Organisation, Role, User
from tpj.demo import services
from tpj.demo.services import ACCOUNTS, DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def foundation_demo(monkeypatch):
    """The foundation's demo accounts only (each module tests its own demo data)."""
    monkeypatch.setattr(services, "MODULE_LOADERS", [])
    return load_demo()


def test_demo_creates_one_confirmed_account_per_role_on_real_communes(foundation_demo):
    assert len(foundation_demo) == len(ACCOUNTS) == User.objects.filter(is_demo=True).count()
    roles = {a.role for user in foundation_demo.values() for a in user.role_assignments.all()}
    assert roles == set(Role.values)
    assert all(u.is_active and u.email_confirmed_at for u in foundation_demo.values())
    ars = Organisation.objects.get(name="ARS Bretagne")
    assert ars.commune.name == "Rennes" and ars.region.name == "Bretagne"
    for org in Organisation.objects.exclude(siret=""):
        org.full_clean()  # valid SIRET check digits
    rhone = foundation_demo["moderateur.rhone@demo.1000jours.fr"]
    assert rhone.scope(Role.MODERATOR).departements == {"69"}


def test_loading_the_demo_twice_changes_nothing(foundation_demo):
    counts = (User.objects.count(), Organisation.objects.count(), sum(u.role_assignments.count() for u in User.objects.all()))
    load_demo()
    assert counts == (
        User.objects.count(),
        Organisation.objects.count(),
        sum(u.role_assignments.count() for u in User.objects.all()),
    )


def test_demo_accounts_log_in_in_demo_mode(foundation_demo):
    client = Client()
    response = client.post("/comptes/connexion/", {"email": "admin@demo.1000jours.fr", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_production_refuses_demo_accounts_at_login(foundation_demo, settings):
    settings.DEMO_MODE = False
    client = Client()
    response = client.post("/comptes/connexion/", {"email": "admin@demo.1000jours.fr", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert "Les comptes de démonstration ne sont pas acceptés sur cette plateforme" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_production_refuses_demo_accounts_on_the_api(foundation_demo, settings, api_client):
    token = Token.objects.create(user=foundation_demo["national@demo.1000jours.fr"])
    settings.DEMO_MODE = False
    response = api_client.post(
        "/api/v1/auth/token/", {"email": "national@demo.1000jours.fr", "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "comptes de démonstration" in response.json()["detail"]


def test_a_demo_session_opened_in_demo_mode_does_not_survive_production(foundation_demo, settings):
    client = Client()
    client.force_login(foundation_demo["admin@demo.1000jours.fr"], backend="tpj.accounts.backends.EmailBackend")
    assert client.get("/mon-espace/").status_code == 200
    settings.DEMO_MODE = False
    assert client.get("/mon-espace/").status_code == 302


def test_load_demo_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="qu'en mode démo"):
        call_command("load_demo")
    assert not User.objects.filter(is_demo=True).exists()


def test_deploy_check_errors_when_demo_accounts_exist_without_demo_mode(foundation_demo, settings):
    assert no_demo_accounts_outside_demo_mode(None) == []
    settings.DEMO_MODE = False
    errors = no_demo_accounts_outside_demo_mode(None)
    assert [e.id for e in errors] == ["accounts.E001"]
    assert f"{len(ACCOUNTS)} compte(s) de démonstration" in errors[0].msg
    User.objects.filter(is_demo=True).delete()
    assert no_demo_accounts_outside_demo_mode(None) == []
