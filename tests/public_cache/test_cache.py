"""The public cache serves anonymous public reads, keyed by the normalised query and the
content version, and nothing personal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tpj.core.public_cache import versions

from .conftest import DIRECTORY, MAP, SEARCH

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", [DIRECTORY, MAP, SEARCH])
def test_a_second_visitor_gets_the_same_bytes_for_one_query_the_version_read(
    path, visitor, client, published, django_assert_num_queries
):
    first = visitor.get(path, {"q": "crèche"})
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, no-cache" and first["ETag"]
    with django_assert_num_queries(1):  # the registry's version; no session, no view
        second = client.get(path, {"q": "crèche"})
    assert second.status_code == 200
    assert second.content == first.content
    assert (second["ETag"], second["Content-Type"]) == (first["ETag"], first["Content-Type"])


def test_the_entry_page_is_served_from_the_cache(visitor, client, published, django_assert_num_queries):
    path = reverse("registry:entry", args=[published[0].pk])
    first = visitor.get(path)
    assert "Crèche publique 0" in first.content.decode()
    with django_assert_num_queries(1):
        assert client.get(path).content == first.content


def test_the_key_ignores_parameter_order_empty_parameters_and_trackers(visitor, published, django_assert_num_queries):
    first = visitor.get(f"{DIRECTORY}?q=cr%C3%A8che&priorite=8&region=53")
    with django_assert_num_queries(1):
        second = visitor.get(f"{DIRECTORY}?region=53&categorie=&utm_source=lettre&q=cr%C3%A8che&priorite=8&fbclid=x")
    assert second.content == first.content
    # The view read the normalised query: its pagination links and permalinks carry no tracker.
    assert "utm_source" not in second.content.decode()


def test_different_filters_are_different_entries(visitor, published):
    assert visitor.get(SEARCH, {"q": "crèche"}).json()["count"] == 3
    assert visitor.get(SEARCH, {"q": "médiathèque"}).json()["count"] == 0


def test_the_htmx_fragment_and_the_page_are_distinct_variants(visitor, published):
    page = visitor.get(DIRECTORY)
    fragment = visitor.get(DIRECTORY, headers={"HX-Request": "true"})
    assert b"<html" in page.content and b"<html" not in fragment.content
    assert page["ETag"] != fragment["ETag"]
    assert "HX-Request" in fragment["Vary"] and "Cookie" not in fragment["Vary"]


def test_a_logged_in_user_is_never_served_nor_stored_and_gets_private(client, member, published, public_cache):
    client.force_login(member)
    response = client.get(DIRECTORY, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and not response.has_header("ETag")
    assert not response.has_header("Content-Encoding")  # BREACH: the page carries a CSRF token
    assert not public_cache._cache  # nothing stored (locmem's own dict)


def test_a_request_with_a_session_cookie_bypasses_a_stored_page(visitor, client, member, published):
    visitor.get(DIRECTORY)
    client.force_login(member)
    page = client.get(DIRECTORY).content.decode()
    assert "Se déconnecter" in page  # the member's own page, not the anonymous one stored


def test_api_token_clients_bypass_the_cache(api_client, member, published, public_cache):
    api_client.credentials(HTTP_AUTHORIZATION="Token nope")
    api_client.get(SEARCH)
    assert not public_cache._cache


def test_error_answers_and_posts_are_not_stored(visitor, published, public_cache):
    assert visitor.get(MAP, {"zoom": "99"}).status_code == 400
    assert visitor.get(reverse("registry:entry", args=[999999])).status_code == 404
    assert visitor.post(SEARCH, {}).status_code in (401, 403)
    assert not public_cache._cache


def test_a_page_not_marked_public_read_is_not_stored(visitor, published, public_cache):
    assert visitor.get(reverse("registry:verification", args=[published[0].public_id])).status_code == 200
    assert not public_cache._cache


def test_a_version_bump_makes_stored_pages_unreachable(visitor, published):
    before = visitor.get(SEARCH)
    versions.bump_now(versions.REGISTRY)
    with CaptureQueriesContext(connection) as queries:
        after = visitor.get(SEARCH)
    assert len(queries) > 1  # a miss: the version, then the view again
    assert after["ETag"] != before["ETag"]


def test_a_bump_of_the_projetotheque_keeps_the_registry(visitor, published, django_assert_num_queries):
    visitor.get(SEARCH)
    versions.bump_now(versions.PROJECTS)
    with django_assert_num_queries(1):
        visitor.get(SEARCH)
