"""JSON and public HTML go out compressed (brotli, else gzip), compressed once when stored;
nothing that may carry a secret is compressed or shared (BREACH)."""

import gzip

import brotli
import pytest
from django.urls import reverse

from tests.registry.factories import verified_entry

from .conftest import DIRECTORY, MAP, SEARCH

pytestmark = pytest.mark.django_db
BOTH = "gzip, deflate, br"


def decoded(response):
    encoding = response.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.content)
    if encoding == "gzip":
        return gzip.decompress(response.content)
    return response.content


@pytest.mark.parametrize("path", [DIRECTORY, SEARCH])
@pytest.mark.parametrize(("accept", "encoding"), [(BOTH, "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("", None)])
def test_round_trip_of_each_encoding(path, accept, encoding, visitor, published):
    plain = visitor.get(path).content
    response = visitor.get(path, headers={"Accept-Encoding": accept})
    assert response.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response["Vary"]
    assert decoded(response) == plain
    assert int(response["Content-Length"]) == len(response.content)
    if encoding:
        assert len(response.content) < len(plain)


def test_a_hit_serves_the_bytes_compressed_when_stored(visitor, published, django_assert_num_queries, monkeypatch):
    stored = visitor.get(DIRECTORY, headers={"Accept-Encoding": "br"})
    monkeypatch.setattr(brotli, "compress", lambda *a, **k: pytest.fail("compressed again on a hit"))
    with django_assert_num_queries(1):
        hit = visitor.get(DIRECTORY, headers={"Accept-Encoding": "br"})
    assert hit["Content-Encoding"] == "br" and hit.content == stored.content


def test_public_answers_outside_the_cache_are_compressed_too(visitor, published):
    page = visitor.get(reverse("registry:verification", args=[published[0].public_id]), headers={"Accept-Encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip" and b"<html" in decoded(page)
    regions = visitor.get("/api/v1/regions/", headers={"Accept-Encoding": "br"})
    assert regions["Content-Encoding"] == "br" and b"Bretagne" in decoded(regions)


def test_a_logged_in_user_gets_nothing_compressed(client, member, published):
    client.force_login(member)
    for path in (DIRECTORY, SEARCH, "/api/v1/regions/"):
        assert not client.get(path, headers={"Accept-Encoding": BOTH}).has_header("Content-Encoding")


def test_small_answers_and_errors_stay_plain(visitor, db):
    assert not visitor.get(MAP, {"zoom": "99"}, headers={"Accept-Encoding": "br"}).has_header("Content-Encoding")
    assert not visitor.get(reverse("registry:entry", args=[99999]), headers={"Accept-Encoding": "br"}).has_header(
        "Content-Encoding"
    )


@pytest.mark.urls("tests.public_cache.urls")
def test_a_page_that_used_a_csrf_token_is_neither_compressed_nor_stored(visitor, public_cache):
    response = visitor.get("/essai/jeton/", headers={"Accept-Encoding": BOTH})
    assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
    assert not response.has_header("Content-Encoding") and not response.has_header("ETag")
    assert "private" in response["Cache-Control"]
    assert not public_cache._cache


@pytest.mark.urls("tests.public_cache.urls")
def test_a_response_that_sets_a_cookie_is_neither_compressed_nor_stored(visitor, public_cache):
    response = visitor.get("/essai/cookie/", headers={"Accept-Encoding": BOTH})
    assert not response.has_header("Content-Encoding") and not public_cache._cache


@pytest.mark.urls("tests.public_cache.urls")
def test_the_same_page_without_secret_is_compressed_and_stored(visitor, public_cache):
    response = visitor.get("/essai/simple/", headers={"Accept-Encoding": BOTH})
    assert response["Content-Encoding"] == "br" and len(public_cache._cache) == 1


def test_bytes_on_the_wire(visitor, db, capsys):
    """The sizes sent for a map answer, a search answer and a directory page (20 entries),
    per encoding. Printed with `pytest -s tests/public_cache/test_compression.py -k wire`."""
    for n in range(25):
        verified_entry(name=f"Relais Petite Enfance de la commune n° {n}", setup__priorities=(2, 6, 8))
    reads = {
        "map API, national": (MAP, {"zoom": "5"}),
        "map API, town zoom (points)": (MAP, {"zoom": "14", "bbox": "-1.75,48.05,-1.60,48.15"}),
        "search API, text": (SEARCH, {"q": "relais"}),
        "directory page, a filter": (DIRECTORY, {"priorite": "8"}),
    }
    lines = ["", "| read | identity | gzip | br |", "|---|---:|---:|---:|"]
    for label, (path, params) in reads.items():
        sizes = [len(visitor.get(path, params, headers={"Accept-Encoding": accept}).content) for accept in ("", "gzip", "br")]
        assert sizes[0] >= sizes[1] >= sizes[2]  # below 512 bytes, sent as it is
        lines.append(f"| {label} | {sizes[0]:,} | {sizes[1]:,} | {sizes[2]:,} |")
    with capsys.disabled():
        print("\n".join(lines))
