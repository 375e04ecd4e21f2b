"""The content version changes with what the public pages show, so no stale page is served:
publication, edit, suspension, deletion, bulk import, map counts' rebuild, and the
projetothèque's laureates."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from tests.registry.factories import EntryFactory, verified_entry
from tests.registry.test_import_worker import job_of
from tpj.core.public_cache import versions
from tpj.registry import aggregates, importer
from tpj.registry.models import State
from tpj.registry.services import moderation

from .conftest import DIRECTORY, MAP, SEARCH

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry_version():
    return lambda: versions.current(versions.REGISTRY)


def test_publication_bumps_the_registry_version(committed, moderator_35, registry_version):
    entry = EntryFactory(state=State.SUBMITTED)
    before = registry_version()
    with committed():
        moderation.moderate(entry, "verify", moderator_35)
    assert registry_version() > before


def test_suspension_bumps_it(committed, moderator_35, registry_version):
    entry = verified_entry()
    before = registry_version()
    with committed():
        moderation.moderate(entry, "suspend", moderator_35, "Agrément retiré.")
    assert registry_version() > before


def test_an_edit_of_a_published_entry_bumps_it_and_the_page_shows_it(committed, api_client, visitor, member, registry_version):
    entry = verified_entry(setup__members=[member])
    page = reverse("registry:entry", args=[entry.pk])
    assert "Site internet" not in visitor.get(page).content.decode()
    api_client.force_authenticate(member)
    with committed():
        response = api_client.patch(
            reverse("api-registry-entry-detail", args=[entry.pk]), {"website": "https://creche.example.fr"}, format="json"
        )
    assert response.status_code == 200, response.content
    assert response.status_code == 200
    assert "https://creche.example.fr" in visitor.get(page).content.decode()


def test_deleting_a_published_entry_bumps_it(committed, registry_version):
    entry = verified_entry()
    before = registry_version()
    with committed():
        entry.delete()
    assert registry_version() > before


def test_drafts_and_submissions_keep_the_cache(committed, registry_version):
    before = registry_version()
    with committed():
        EntryFactory(state=State.SUBMITTED)
        EntryFactory(state=State.DRAFT)
    assert registry_version() == before


def test_a_bulk_import_bumps_it(committed, moderator_69, registry_version):
    job = job_of(moderator_69, count=4, chunk_size=2)
    before = registry_version()
    with committed():
        importer.queue_job(job)
    job.refresh_from_db()
    assert job.created_count == 4
    assert registry_version() > before


def test_rebuilding_the_map_counts_bumps_it(committed, registry_version):
    before = registry_version()
    with committed():
        aggregates.rebuild()
    assert registry_version() > before


def test_a_transaction_that_changes_many_entries_bumps_once(committed, moderator_35, registry_version, monkeypatch):
    with committed():
        entries = [verified_entry() for _ in range(3)]
    bumps = []
    monkeypatch.setattr(versions, "bump_now", bumps.append)
    with committed():
        for entry in entries:
            entry.save()
    assert bumps == [versions.REGISTRY]


class Refused(Exception):
    pass


def test_a_rolled_back_change_bumps_nothing(committed, registry_version):
    entry = verified_entry()
    with committed():
        before = registry_version()
        with pytest.raises(Refused), transaction.atomic():
            entry.save()
            raise Refused
    assert registry_version() == before


def test_a_suspended_entry_is_never_served_again_by_any_public_read(committed, client, visitor, moderator_35):
    kept = verified_entry(name="Crèche qui reste")
    withdrawn = verified_entry(name="Crèche retirée")
    entry_page = reverse("registry:entry", args=[withdrawn.pk])
    point_zoom = {"zoom": "16", "bbox": "-1.75,48.05,-1.60,48.15"}
    # Every public read is stored while the entry is published.
    assert visitor.get(entry_page).status_code == 200
    assert "Crèche retirée" in visitor.get(DIRECTORY).content.decode()
    assert {e["name"] for e in visitor.get(SEARCH).json()["results"]} == {kept.name, withdrawn.name}
    assert visitor.get(MAP).json()["total"] == 2
    assert withdrawn.pk in [p[0] for p in visitor.get(MAP, point_zoom).json()["points"]]
    # A moderator suspends it, through the moderation page.
    client.force_login(moderator_35)
    with committed():
        response = client.post(
            reverse("registry:moderate", args=[withdrawn.pk]), {"transition": "suspend", "reason": "Agrément retiré."}
        )
    assert response.status_code == 302
    # No public read shows it any more.
    gone = visitor.get(entry_page)
    assert gone.status_code != 200 and "Crèche retirée" not in gone.content.decode()
    assert "Crèche retirée" not in visitor.get(DIRECTORY).content.decode()
    assert {e["name"] for e in visitor.get(SEARCH).json()["results"]} == {kept.name}
    assert visitor.get(MAP).json()["total"] == 1
    assert withdrawn.pk not in [p[0] for p in visitor.get(MAP, point_zoom).json()["points"]]
    assert visitor.get(reverse("api-registry-entry-detail", args=[withdrawn.pk])).status_code == 404


def test_the_purge_command_bumps_every_scope(visitor, published):
    before = {scope: versions.current(scope) for scope in versions.SCOPES}
    etag = visitor.get(SEARCH)["ETag"]
    call_command("purge_public_cache", stdout=io.StringIO())
    assert all(versions.current(scope) > before[scope] for scope in versions.SCOPES)
    assert visitor.get(SEARCH)["ETag"] != etag
