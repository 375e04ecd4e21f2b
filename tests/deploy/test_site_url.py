"""Every absolute link names SITE_URL, never the host a request reached (issue 15 §5).

The site is served on a non-default port (SITE_URL=http://127.0.0.1:8193) and the pages are
requested through another host name, as a web node behind a load balancer is: e-mail links
(written in a request, or by a worker with no request at all), the QR code's target and the
verification page, the open-data catalogue, permalinks and the API documentation must all
say 8193, and none the host of the request.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from tests.registry.factories import verified_entry
from tests.valorisation.factories import laureate
from tpj.accounts import services as account_services
from tpj.registry import exports as registry_exports
from tpj.registry import logo
from tpj.registry.models import Entry
from tpj.registry.services.notifications import notify_members

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8193"
NODE = "node-2.internal:8000"  # the host a web node is reached by, behind the load balancer
LINK = re.compile(r"https?://[^\s\"'<>)]+")


@pytest.fixture(autouse=True)
def _site_on_port_8193(settings):
    settings.SITE_URL = SITE + "/"  # a trailing slash as an operator may write it
    settings.ALLOWED_HOSTS = ["node-2.internal"]


@pytest.fixture
def node(client):
    client.defaults["HTTP_HOST"] = NODE
    return client


def own_links(text: str) -> list[str]:
    """The absolute links of `text` that point to this site (external sites left out)."""
    return [link for link in LINK.findall(text) if "127.0.0.1" in link or "node-2" in link or "testserver" in link]


def assert_all_on_8193(text: str, expected: int = 1):
    links = own_links(text)
    assert len(links) >= expected, text
    assert all(link.startswith(SITE + "/") and "//" not in link[len(SITE) :] for link in links), links


def test_account_e_mails_written_during_a_request_link_to_site_url(node, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        node.post(
            reverse("accounts:signup"),
            {
                "email": "claire@example.fr",
                "first_name": "Claire",
                "last_name": "Dupont",
                "password1": "une-phrase-de-passe-solide",
                "password2": "une-phrase-de-passe-solide",
            },
        )
    UserFactory(email="oubli@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        node.post(reverse("accounts:password-reset"), {"email": "oubli@example.fr"})
    confirmation, reset = mail.outbox
    assert_all_on_8193(confirmation.body)
    assert f"{SITE}/comptes/confirmer/" in confirmation.body
    assert_all_on_8193(reset.body)
    reset_path = re.search(re.escape(SITE) + r"(/comptes/mot-de-passe/\S+/)", reset.body).group(1)
    assert "Choisir un nouveau mot de passe" in node.get(reset_path, follow=True).content.decode()


def test_e_mails_written_outside_any_request_link_to_site_url(django_capture_on_commit_callbacks):
    """What a worker does: no request, only the settings."""
    member = UserFactory(email="membre@example.fr", email_confirmed_at=None)
    entry = verified_entry(setup__members=[member])
    with django_capture_on_commit_callbacks(execute=True):
        account_services.send_confirmation_email(member)
        account_services.send_existing_account_email(member)
        notify_members(entry, "suspend", "Agrément retiré.")
    confirmation, existing, decision = mail.outbox
    assert_all_on_8193(confirmation.body)
    assert_all_on_8193(existing.body, expected=3)  # sign in, new password, confirm
    assert_all_on_8193(decision.body)
    assert f"{SITE}/annuaire/fiches/{entry.pk}/" in decision.body


def test_the_qr_code_and_the_verification_page_name_site_url(node):
    entry = verified_entry()
    target = f"{SITE}/annuaire/verification/{entry.public_id}/"
    page = node.get(reverse("registry:verification", args=[entry.public_id])).content.decode()
    assert target in page
    assert NODE not in page
    qr = node.get(reverse("registry:verification-qr", args=[entry.public_id])).content
    assert qr == logo.qr_png(target)  # the QR code drawn for the 8193 address, byte for byte
    api = node.get(reverse("api-registry-entry-detail", args=[entry.pk])).json()
    assert api["verification_url"] == target


def test_open_data_addresses_and_permalinks_name_site_url(node):
    project = laureate("53")
    entry = verified_entry()
    catalogue = node.get(reverse("valorisation:opendata-catalogue")).content.decode()
    assert_all_on_8193(catalogue, expected=7)
    assert NODE not in catalogue
    page = node.get(reverse("valorisation:opendata")).content.decode()
    assert f"{SITE}/annuaire/export.csv" in page and NODE not in page
    detail = node.get(reverse("valorisation:project", args=[project.pk])).content.decode()
    assert f'Lien permanent : <a href="{SITE}/valorisation/projets/{project.pk}/">' in detail
    row = dict(
        zip(
            registry_exports.CSV_COLUMNS,
            registry_exports.entry_row(registry_exports.export_queryset(Entry.objects.filter(pk=entry.pk)).get()),
            strict=True,
        )
    )
    assert row["page"] == f"{SITE}/annuaire/fiches/{entry.pk}/"


def test_the_api_documentation_example_names_site_url(node):
    page = node.get(reverse("api-docs")).content.decode()
    assert f"curl -X POST {SITE}/api/v1/auth/token/" in page
    assert NODE not in page
