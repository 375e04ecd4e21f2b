"""Authentication (issue 13, §6): API tokens die with the password and the account, sign-up
does not tell which addresses have an account, the entries API does not tell which
unpublished entries exist."""

import io
import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory, user_with_role
from tests.registry.factories import EntryFactory, verified_entry
from tpj.accounts import services as accounts
from tpj.accounts.models import Role, User
from tpj.audit.models import AuditEvent
from tpj.core import policy
from tpj.privacy import services as privacy
from tpj.registry.api.entries import EntryViewSet
from tpj.registry.models import Entry, State
from tpj.territories.models import Commune

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-42"  # UserFactory's
NEW_PASSWORD = "un-nouveau-mot-de-passe-long"
TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def _token(email, password=PASSWORD) -> str:
    response = APIClient().post(TOKEN_URL, {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _me(key) -> int:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(ME_URL).status_code


def _revocations(user, reason) -> int:
    return AuditEvent.objects.filter(action="accounts.revoke_tokens", object_id=str(user.pk), after__motif=reason.value).count()


# --- 1. Tokens revoked on reset, change, deactivation, anonymisation ------------------


def test_a_password_reset_revokes_the_token_and_the_next_request_gets_a_new_key(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="oubli@example.fr")
    old = _token("oubli@example.fr")
    assert _me(old) == 200
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave the outbox after the commit
        client.post(reverse("accounts:password-reset"), {"email": "oubli@example.fr"})
    path = re.search(r"http://127.0.0.1:8000(/comptes/mot-de-passe/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(path, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password-reset-complete")
    assert _me(old) == 401
    new = _token("oubli@example.fr", NEW_PASSWORD)
    assert new != old and _me(new) == 200
    assert _revocations(user, accounts.TokenRevocation.PASSWORD_RESET) == 1


def _set_password(user):
    user.set_password(NEW_PASSWORD)
    user.save()


def _admin_form(user):
    form = AdminPasswordChangeForm(user, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()


def _changepassword_command(user, monkeypatch):
    answers = iter([NEW_PASSWORD, NEW_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda *args, **kwargs: next(answers))
    call_command("changepassword", user.email, stdout=io.StringIO())


@pytest.mark.parametrize("path", ["set_password", "admin_form", "changepassword"])
def test_a_password_change_by_any_path_revokes_the_token(path, monkeypatch):
    user = UserFactory(email="change@example.fr")
    old = _token(user.email)
    if path == "set_password":
        _set_password(user)
    elif path == "admin_form":
        _admin_form(user)
    else:
        _changepassword_command(user, monkeypatch)
    assert not Token.objects.filter(key=old).exists() and _me(old) == 401
    assert _token(user.email, NEW_PASSWORD) != old
    assert _revocations(user, accounts.TokenRevocation.PASSWORD_CHANGE) == 1


def _admin_change_form(user):
    admin = UserFactory(email="admin@example.fr", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    url = reverse(f"admin:{User._meta.app_label}_user_change", args=[user.pk])
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "organisation": "",
        "email_confirmed_at_0": "",
        "email_confirmed_at_1": "",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }  # is_active unticked
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response


@pytest.mark.parametrize("path", ["save", "save_update_fields", "admin"])
def test_deactivating_an_account_by_any_path_revokes_its_token(path):
    user = UserFactory(email="depart@example.fr")
    old = _token(user.email)
    if path == "admin":
        assert admin_site.is_registered(User)
        _admin_change_form(user)
    else:
        user.is_active = False
        user.save(**({"update_fields": ["is_active"]} if path == "save_update_fields" else {}))
    assert not User.objects.get(pk=user.pk).is_active
    assert not Token.objects.filter(user=user).exists()
    # Reactivated, the account does not find its old key working again.
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert _me(old) == 401
    assert _revocations(user, accounts.TokenRevocation.DEACTIVATION) == 1


def test_anonymisation_revokes_the_token_through_the_same_function():
    user = UserFactory(email="partir@example.fr")
    old = _token(user.email)
    privacy.delete_account(user)
    assert _me(old) == 401 and not Token.objects.filter(user=user).exists()
    # One event, with its reason: anonymisation (not "deactivation" nor "password change").
    events = AuditEvent.objects.filter(action="accounts.revoke_tokens", object_id=str(user.pk))
    assert [e.after["motif"] for e in events] == [accounts.TokenRevocation.ANONYMISATION.value]


def test_saving_a_user_without_changing_password_or_status_keeps_the_token():
    user = UserFactory(email="reste@example.fr")
    old = _token(user.email)
    user.first_name = "Autre"
    user.save()
    assert _me(old) == 200
    assert _token(user.email) == old  # logging in again (last_login saved) keeps it too
    assert not AuditEvent.objects.filter(action="accounts.revoke_tokens").exists()


def test_django_rehashing_the_same_password_at_login_keeps_the_token(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    user = UserFactory(email="ancien@example.fr")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="md5"))
    key = Token.objects.create(user=user).key
    assert _token(user.email) == key  # the login upgraded the hash to PBKDF2: same password, same token
    assert User.objects.get(pk=user.pk).password.startswith("pbkdf2_")
    assert _me(key) == 200


# --- 2. Sign-up tells nothing about the address ------------------------------------------


def _sign_up(client, django_capture_on_commit_callbacks, email):
    data = {"email": email, "first_name": "Claire", "last_name": "Dupont", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:signup"), data)


def _page_template(response) -> str:
    return next(t.name for t in response.templates if not t.name.startswith("accounts/email/"))


def _page(response, email) -> str:
    text = response.content.decode().replace(email, "ADRESSE")
    return re.sub(r'(csrfmiddlewaretoken" value=|nonce=)"[^"]*"', r"\1...", text)


@pytest.mark.parametrize("owner", ["confirmed", "unconfirmed", "disabled"])
def test_sign_up_answers_the_same_for_a_known_address_and_emails_its_owner(client, django_capture_on_commit_callbacks, owner):
    UserFactory(
        email="claire@example.fr",
        **({"unconfirmed": True} if owner == "unconfirmed" else {"disabled": True} if owner == "disabled" else {}),
    )
    unknown = _sign_up(client, django_capture_on_commit_callbacks, "nouvelle@example.fr")
    known = _sign_up(client, django_capture_on_commit_callbacks, "Claire@Example.fr")
    assert known.status_code == unknown.status_code == 200
    # (the e-mail's own template, rendered when it is written to the outbox, differs; the page does not)
    assert _page_template(known) == _page_template(unknown) == "accounts/signup_done.html"
    assert _page(known, "Claire@Example.fr".lower()) == _page(unknown, "nouvelle@example.fr")
    assert "existe déjà" not in known.content.decode()
    assert User.objects.filter(email="claire@example.fr").count() == 1
    confirmation, warning = mail.outbox
    assert confirmation.to == ["nouvelle@example.fr"] and confirmation.subject.startswith("Confirmez votre adresse")
    assert warning.to == ["claire@example.fr"]
    assert warning.subject == "Tentative de création de compte avec votre adresse — Territoires des 1000 premiers jours"
    assert "Quelqu'un a tenté de créer un compte" in warning.body
    assert re.search(r"https?://\S+/comptes/mot-de-passe/\n", warning.body)
    assert ("/comptes/confirmer/" in warning.body) == (owner == "unconfirmed")
    assert AuditEvent.objects.filter(action="accounts.sign_up_existing").count() == 1


def test_sign_up_of_a_known_address_keeps_its_password():
    user = UserFactory(email="claire@example.fr")
    assert accounts.sign_up(email="claire@example.fr", password="autre-mot-de-passe-long") is None
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- 3. The entries API: 404 to whoever may not see the entry --------------------------

DETAIL_ACTIONS = [("get", "detail"), ("patch", "detail")] + [
    ("post", action.url_name) for action in EntryViewSet.get_extra_actions() if action.detail
]


@pytest.fixture
def people(db):
    member = UserFactory(email="membre@example.fr")
    return {
        "anonyme": None,
        "inscrit": UserFactory(email="inscrit@example.fr"),
        "moderateur_hors_perimetre": user_with_role(Role.MODERATOR, departements=["31"], email="mod31@example.fr"),
        "gestionnaire": user_with_role(Role.CALL_MANAGER, region="53", email="gestion@example.fr"),
        "membre": member,
        "moderateur": user_with_role(Role.MODERATOR, departements=["35"], email="mod35@example.fr"),
        "equipe_nationale": user_with_role(Role.NATIONAL_TEAM, email="national@example.fr"),
        "administrateur": user_with_role(Role.ADMINISTRATOR, email="admin@example.fr"),
    }


def _client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _call(client, method, url_name, pk):
    url = reverse(f"api-registry-entry-{url_name}", args=[pk])
    return getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)


@pytest.mark.parametrize("method, url_name", DETAIL_ACTIONS)
@pytest.mark.parametrize("who", ["anonyme", "inscrit", "moderateur_hors_perimetre", "gestionnaire"])
@pytest.mark.parametrize("state", [State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED, State.REJECTED, State.SUSPENDED])
def test_an_entry_one_may_not_see_answers_exactly_like_a_missing_one(people, who, state, method, url_name):
    hidden = EntryFactory(state=state, setup__members=[people["membre"]])
    missing = Entry.objects.order_by("-pk").first().pk + 1000
    client = _client(people[who])
    answer, absent = _call(client, method, url_name, hidden.pk), _call(client, method, url_name, missing)
    assert answer.status_code == absent.status_code == 404
    assert answer.json() == absent.json()
    assert Entry.objects.get(pk=hidden.pk).state == state  # nothing happened


@pytest.mark.parametrize("who", ["membre", "moderateur", "equipe_nationale", "administrateur"])
def test_those_who_may_see_an_unpublished_entry_still_read_it(people, who):
    entry = EntryFactory(state=State.SUBMITTED, setup__members=[people["membre"]])
    response = _client(people[who]).get(reverse("api-registry-entry-detail", args=[entry.pk]))
    assert response.status_code == 200 and response.json()["id"] == entry.pk


@pytest.mark.parametrize("who", ["anonyme", "inscrit", "moderateur_hors_perimetre"])
def test_a_published_entry_is_read_by_anyone_and_acting_on_it_is_refused_not_hidden(people, who):
    entry = verified_entry(setup__members=[people["membre"]])
    client = _client(people[who])
    assert client.get(reverse("api-registry-entry-detail", args=[entry.pk])).status_code == 200
    refused = _call(client, "post", "suspend", entry.pk)
    assert refused.status_code == (401 if who == "anonyme" else 403)


def test_the_api_queryset_agrees_with_the_view_entry_rule(people):
    lyon = Commune.objects.get(insee_code="69123")
    original = verified_entry(setup__members=[people["membre"]])
    entries = [
        original,
        EntryFactory(state=State.DRAFT),
        EntryFactory(state=State.SUBMITTED, commune=lyon, postal_code="69001", setup__members=[people["inscrit"]]),
        EntryFactory(state=State.SUSPENDED, setup__members=[people["membre"]]),
        EntryFactory(state=State.SUBMITTED, revision_of=original, name=original.name),  # a revision: its original's members
        verified_entry(commune=lyon, postal_code="69001"),
    ]
    for who, user in people.items():
        user = user if user is not None else AnonymousUser()
        if user.is_authenticated:
            user = User.objects.get(pk=user.pk)  # fresh role cache
        visible = set(Entry.objects.visible_to(user).values_list("pk", flat=True))
        for entry in entries:
            assert (entry.pk in visible) == bool(policy.check(user, "registry.view_entry", entry)), (who, entry.state)
