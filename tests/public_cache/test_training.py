"""The training catalogue's public reads (search page, offers and sessions APIs, map) are served
to anonymous visitors from the public cache, and never show an offer after its withdrawal nor a
session after its end; the offer's page, which links to the registry, is not shared."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.training.factories import OfferFactory, SessionFactory, member_of, published_offer
from tpj.core.public_cache import versions
from tpj.training.models import OfferState
from tpj.training.services import offers as offer_services

pytestmark = pytest.mark.django_db

SEARCH = reverse("training:search")
SESSIONS_API = reverse("api-training-session-list")
OFFERS_API = reverse("api-training-offer-list")
MAP_API = reverse("api-training-session-map")


@pytest.fixture
def offer(db):
    return published_offer(title="Éveil culturel et artistique du tout-petit")


@pytest.fixture
def training_version():
    return lambda: versions.current(versions.TRAINING)


def queries_of(client, url, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return len(captured), response


@pytest.mark.parametrize("url", [SEARCH, SESSIONS_API, OFFERS_API, MAP_API])
def test_a_second_anonymous_read_is_served_from_the_cache(visitor, offer, url):
    first_queries, first = queries_of(visitor, url)
    again_queries, again = queries_of(visitor, url)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again_queries == 1  # the scope's version, nothing else
    assert first_queries > again_queries
    assert again["Cache-Control"] == "public, no-cache"


def test_the_offer_page_is_not_shared(visitor, offer):
    """It links to the organisation's registry entry, which changes with the registry's scope."""
    page = reverse("training:offer", args=[offer.pk])
    assert visitor.get(page).status_code == 200
    queries, again = queries_of(visitor, page)
    assert again.status_code == 200 and offer.title in again.content.decode()
    assert queries > 1


def test_the_search_answers_a_conditional_get_with_304(visitor, offer):
    first = visitor.get(SEARCH)
    assert visitor.get(SEARCH, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_withdrawn_offer_leaves_the_cached_search_and_its_page_at_once(committed, visitor, offer):
    page = reverse("training:offer", args=[offer.pk])
    assert offer.title in visitor.get(SEARCH).content.decode()
    assert visitor.get(page).status_code == 200
    with committed():
        offer_services.withdraw(offer, member_of(offer.organisation))
    offer.refresh_from_db()
    assert offer.state == OfferState.DRAFT
    assert offer.title not in visitor.get(SEARCH).content.decode()
    hidden = visitor.get(page)
    assert hidden.status_code != 200 and offer.title not in hidden.content.decode()  # to the sign-in page
    assert offer.title not in visitor.get(SESSIONS_API).content.decode()


def test_a_new_session_of_a_published_offer_shows_in_the_cached_reads(committed, visitor, offer, training_version):
    assert visitor.get(SESSIONS_API).json()["count"] == 1
    before = training_version()
    with committed():
        SessionFactory(offer=offer, start_date=timezone.localdate() + datetime.timedelta(days=60))
    assert training_version() > before
    assert visitor.get(SESSIONS_API).json()["count"] == 2
    assert visitor.get(MAP_API).json()["sessions"] == 2


def test_a_draft_being_written_keeps_the_cache(committed, offer, training_version):
    with committed():
        draft = OfferFactory(organisation=offer.organisation)
    before = training_version()
    with committed():
        SessionFactory(offer=draft)
    assert training_version() == before


def test_a_session_over_since_yesterday_leaves_the_cached_search_the_next_day(visitor, offer, monkeypatch):
    """Nothing is written when a session ends: the key carries the date."""
    session = offer.sessions.get()
    monkeypatch.setattr(timezone, "localdate", lambda *args: session.end_date)
    assert visitor.get(SESSIONS_API).json()["count"] == 1
    assert visitor.get(SESSIONS_API).json()["count"] == 1  # the day's copy
    monkeypatch.setattr(timezone, "localdate", lambda *args: session.end_date + datetime.timedelta(days=1))
    assert visitor.get(SESSIONS_API).json()["count"] == 0


def test_a_signed_in_professional_is_never_served_the_shared_copy(client, visitor, offer):
    visitor.get(SEARCH)
    client.force_login(UserFactory())
    queries, response = queries_of(client, SEARCH)
    assert response.status_code == 200
    assert queries > 1
    assert "private" in response["Cache-Control"]


def test_the_cached_search_carries_no_nonce_and_no_inline_script(offer):
    """A stored page must not hand one visitor's CSP nonce to the next: it needs none."""
    for response in (Client().get(SEARCH), Client().get(SEARCH)):  # a miss, then a hit
        page = response.content.decode()
        assert 'nonce="' not in page and "nonce-" not in response["Content-Security-Policy"]
        scripts = re.findall(r"<script\b[^>]*>", page)
        assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts), scripts
