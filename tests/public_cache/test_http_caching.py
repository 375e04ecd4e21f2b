"""Browsers and proxies revalidate every public read (ETag, 304), and never see one visitor's
CSP nonce in another's page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.registry.factories import verified_entry
from tpj.core.public_cache import versions

from .conftest import DIRECTORY, MAP, SEARCH

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", [DIRECTORY, MAP, SEARCH])
def test_a_matching_if_none_match_answers_304_without_rendering(path, visitor, published, django_assert_num_queries):
    first = visitor.get(path)
    assert first["Cache-Control"] == "public, no-cache"
    assert "Accept-Encoding" in first["Vary"] and "Cookie" not in first["Vary"]
    with django_assert_num_queries(1):  # the version: no view, no cache read
        again = visitor.get(path, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and not again.content


def test_after_a_change_the_same_etag_gets_the_new_page(committed, visitor, published):
    first = visitor.get(SEARCH)
    with committed():
        verified_entry(name="Nouvelle crèche")
    again = visitor.get(SEARCH, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert "Nouvelle crèche" in again.content.decode()


def test_the_etag_names_the_encoding(visitor, published):
    plain = visitor.get(SEARCH)
    brotli = visitor.get(SEARCH, headers={"Accept-Encoding": "br"})
    assert plain["ETag"] != brotli["ETag"]
    assert visitor.get(SEARCH, headers={"If-None-Match": plain["ETag"], "Accept-Encoding": "br"}).status_code == 200


def test_a_logged_in_user_never_gets_304_for_the_anonymous_etag(client, visitor, member, published):
    etag = visitor.get(DIRECTORY)["ETag"]
    client.force_login(member)
    response = client.get(DIRECTORY, headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Se déconnecter" in response.content.decode()


def test_an_old_version_etag_is_not_answered_304(visitor, published):
    etag = visitor.get(MAP)["ETag"]
    versions.bump_now(versions.REGISTRY)
    assert visitor.get(MAP, headers={"If-None-Match": etag}).status_code == 200


# CSP: public pages carry no nonce (their scripts are all external, allowed by 'self').

NONCE = re.compile(r"nonce-([A-Za-z0-9+/=]+)")


def _nonces(response):
    header = NONCE.findall(response["Content-Security-Policy"])
    body = re.findall(r'nonce="([^"]*)"', response.content.decode())
    return header, body


@pytest.mark.parametrize("name", ["directory", "entry", "projects"])
def test_two_visitors_of_a_public_page_get_no_nonce_in_the_header_nor_the_body(name, published):
    path = reverse("registry:entry", args=[published[0].pk]) if name == "entry" else DIRECTORY
    path = reverse("valorisation:projects") if name == "projects" else path
    first, second = Client().get(path), Client().get(path)  # a miss, then a hit
    assert first.status_code == second.status_code == 200
    for response in (first, second):
        assert _nonces(response) == ([], [])
        assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["directory", "entry", "projects"])
def test_public_pages_have_no_inline_script(name, published):
    """What makes a page without nonce work: every script has a src (same origin)."""
    path = reverse("registry:entry", args=[published[0].pk]) if name == "entry" else DIRECTORY
    path = reverse("valorisation:projects") if name == "projects" else path
    page = Client().get(path).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all("src=" in tag for tag in scripts), scripts


def test_a_logged_in_user_keeps_a_nonce_that_the_header_and_the_body_agree_on(client, member, published):
    client.force_login(member)
    header, body = _nonces(client.get(DIRECTORY))
    assert header and set(body) == set(header)
    client.force_login(member)
    assert _nonces(client.get(DIRECTORY))[0] != header
