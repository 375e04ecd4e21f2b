import re
import time
from unittest import mock

import pytest
from django.core import mail

from tests.factories import UserFactory
from tpj.accounts import services
from tpj.accounts.models import User
from tpj.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "une-phrase-de-passe-solide"
SIGNUP = "/comptes/inscription/"
LOGIN = "/comptes/connexion/"


def _sign_up(client, django_capture_on_commit_callbacks, **overrides):
    data = {
        "email": "Claire.Dupont@Example.fr",
        "first_name": "Claire",
        "last_name": "Dupont",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(SIGNUP, data)


def _confirmation_link(message) -> str:
    return re.search(r"http://\S+/comptes/confirmer/\S+/", message.body).group(0)


def test_sign_up_creates_an_inactive_account_and_sends_a_french_confirmation_email(client, django_capture_on_commit_callbacks):
    response = _sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "Confirmez votre adresse e-mail" in response.content.decode()
    user = User.objects.get()
    assert user.email == "claire.dupont@example.fr"
    assert not user.is_active and user.email_confirmed_at is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["claire.dupont@example.fr"]
    assert message.subject.startswith("Confirmez votre adresse e-mail")
    assert "Bonjour Claire" in message.body and "valable 3 jours" in message.body
    assert AuditEvent.objects.filter(action="accounts.sign_up").exists()


def test_the_confirmation_link_activates_the_account_and_signs_in(client, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)
    link = _confirmation_link(mail.outbox[0])
    response = client.get(link.replace("http://127.0.0.1:8000", ""), follow=True)
    assert response.redirect_chain[-1][0] == "/mon-espace/"
    assert "Votre adresse e-mail est confirmée" in response.content.decode()
    user = User.objects.get()
    assert user.is_active and user.email_confirmed_at is not None
    # Then the usual login works.
    client.logout()
    assert client.post(LOGIN, {"email": "claire.dupont@example.fr", "password": PASSWORD}).status_code == 302


def test_an_expired_confirmation_link_is_refused_in_french_and_changes_nothing(client, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)
    path = _confirmation_link(mail.outbox[0]).replace("http://127.0.0.1:8000", "")
    four_days_later = time.time() + 4 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=four_days_later):
        response = client.get(path)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ce lien de confirmation a expiré (il est valable 3 jours)" in body
    assert "Envoyer un nouveau lien" in body
    user = User.objects.get()
    assert not user.is_active and user.email_confirmed_at is None
    assert not AuditEvent.objects.filter(action="accounts.confirm_email").exists()


def test_a_tampered_confirmation_link_is_refused(client):
    user = UserFactory(unconfirmed=True)
    token = services.confirmation_token(user)
    response = client.get(f"/comptes/confirmer/{token[:-3]}xyz/")
    assert response.status_code == 400
    assert "Ce lien de confirmation est invalide" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_resending_the_confirmation_link_says_the_same_thing_for_unknown_addresses(client, django_capture_on_commit_callbacks):
    UserFactory(email="attente@example.fr", unconfirmed=True)
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave the outbox after the commit
        known = client.post("/comptes/renvoyer-confirmation/", {"email": "attente@example.fr"}, follow=True)
    unknown = client.post("/comptes/renvoyer-confirmation/", {"email": "personne@example.fr"}, follow=True)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["attente@example.fr"]
    message = "Si un compte non confirmé existe pour cette adresse"
    assert message in known.content.decode() and message in unknown.content.decode()


def test_sign_up_with_an_existing_email_in_another_case_creates_nothing_and_emails_the_owner(
    client, django_capture_on_commit_callbacks
):
    # Used to answer "Un compte existe déjà avec cette adresse e-mail": that told anyone
    # which addresses have an account. The page is now the one of a new sign-up.
    UserFactory(email="claire.dupont@example.fr")
    response = _sign_up(client, django_capture_on_commit_callbacks, email="CLAIRE.Dupont@example.FR")
    assert response.status_code == 200
    assert "Un compte existe déjà" not in response.content.decode()
    assert "Confirmez votre adresse e-mail" in response.content.decode()
    assert User.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["claire.dupont@example.fr"]]
    assert mail.outbox[0].subject.startswith("Tentative de création de compte")


@pytest.mark.parametrize(
    "password, message",
    [
        ("court-1", "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."),
        ("123456789012345", "Ce mot de passe est entièrement numérique."),
        ("1qaz2wsx3edc", "Ce mot de passe est trop courant."),
        ("claire.dupont.example", "Le mot de passe est trop semblable au champ « adresse e-mail »."),
    ],
)
def test_sign_up_enforces_the_password_policy_in_french(client, django_capture_on_commit_callbacks, password, message):
    response = _sign_up(client, django_capture_on_commit_callbacks, password1=password, password2=password)
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'").replace("\xa0", " ")
    assert not User.objects.exists()


def test_sign_up_requires_matching_passwords(client, django_capture_on_commit_callbacks):
    response = _sign_up(client, django_capture_on_commit_callbacks, password2=PASSWORD + "x")
    assert "Les deux mots de passe ne sont pas identiques." in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_with_missing_fields_names_each_field(client, django_capture_on_commit_callbacks):
    response = _sign_up(client, django_capture_on_commit_callbacks, email="pas-une-adresse", first_name="")
    body = response.content.decode()
    assert "Saisissez une adresse e-mail valide." in body
    assert "Ce champ est obligatoire." in body
    assert 'aria-invalid="true"' in body


def _login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"email": email, "password": password})


def test_login_with_email_in_any_case():
    user = UserFactory(email="camille@example.fr")
    user.set_password(PASSWORD)
    user.save()
    from django.test import Client

    client = Client()
    response = _login(client, "Camille@Example.FR")
    assert response.status_code == 302
    assert response["Location"] == "/mon-espace/"


def test_login_refused_for_an_unconfirmed_account_says_so(client):
    user = UserFactory(email="nouveau@example.fr", unconfirmed=True)
    user.set_password(PASSWORD)
    user.save()
    body = _login(client, "nouveau@example.fr").content.decode()
    assert "Confirmez d&#x27;abord votre adresse e-mail" in body
    assert "_auth_user_id" not in client.session


def test_login_refused_for_a_disabled_account_says_so(client):
    user = UserFactory(email="ancien@example.fr", disabled=True)
    user.set_password(PASSWORD)
    user.save()
    body = _login(client, "ancien@example.fr").content.decode()
    assert "Ce compte est désactivé" in body
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_password_does_not_reveal_whether_the_account_exists(client):
    UserFactory(email="existe@example.fr")
    wrong = _login(client, "existe@example.fr", "mauvais-mot-de-passe").content.decode()
    unknown = _login(client, "inconnu@example.fr", "mauvais-mot-de-passe").content.decode()
    assert "Adresse e-mail ou mot de passe incorrect." in wrong
    assert "Adresse e-mail ou mot de passe incorrect." in unknown


def test_password_reset_flow(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="oubli@example.fr")
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave the outbox after the commit
        response = client.post("/comptes/mot-de-passe/", {"email": "Oubli@example.fr"})
    assert response["Location"] == "/comptes/mot-de-passe/envoye/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Réinitialisation de votre mot de passe — Territoires des 1000 premiers jours"
    path = re.search(r"http://127.0.0.1:8000(/comptes/mot-de-passe/\S+/)", message.body).group(1)
    form_page = client.get(path, follow=True)
    assert "Choisir un nouveau mot de passe" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    new_password = "un-nouveau-mot-de-passe-long"
    response = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert response["Location"] == "/comptes/mot-de-passe/termine/"
    user.refresh_from_db()
    assert user.check_password(new_password)
    # The link is single-use.
    again = client.get(path, follow=True)
    assert "Ce lien de réinitialisation est invalide ou a déjà servi." in again.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_but_says_the_same(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comptes/mot-de-passe/", {"email": "personne@example.fr"})
    assert response["Location"] == "/comptes/mot-de-passe/envoye/"
    assert mail.outbox == []


def test_dashboard_requires_login_and_lists_roles(client):
    response = client.get("/mon-espace/")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/connexion/?next=")
    from tests.factories import user_with_role
    from tpj.accounts.models import Role

    user = user_with_role(Role.CALL_MANAGER, region="53")
    client.force_login(user)
    body = client.get("/mon-espace/").content.decode()
    assert "Gestionnaire d&#x27;appels à projets — périmètre : Bretagne" in body
