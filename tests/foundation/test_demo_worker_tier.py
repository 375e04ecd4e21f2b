"""The worker tier's demo data (tpj/demo/worker_tier.py): every state of the background work
is there for the demo accounts to see, built by the services, and a second load adds nothing."""

import hashlib

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tpj.audit.models import AuditEvent
from tpj.calls.models import DecisionLetter
from tpj.demo.services import load_demo
from tpj.downloads.models import ExportJob
from tpj.registry.models import Entry, ImportJob, ReviewState
from tpj.registry.services import review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """The demo's files (imports, export, letter) go to a temporary MEDIA_ROOT, never var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {**django_settings.STORAGES["default"], "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }


def _rows():
    return [
        ImportJob.objects.count(),
        ExportJob.objects.count(),
        DecisionLetter.objects.count(),
        Entry.objects.count(),
        AuditEvent.objects.count(),
    ]


def test_the_demo_shows_each_state_of_the_background_work_and_loads_twice_without_change():
    accounts = load_demo()
    moderator = accounts["moderateur.bretagne@demo.1000jours.fr"]
    national = accounts["national@demo.1000jours.fr"]
    pro = accounts["pro@demo.1000jours.fr"]

    # Imports of the Bretagne moderator: one finished with refused rows, one stopped mid-way.
    done, running = (ImportJob.objects.visible_to(moderator).get(status=s) for s in ("done", "running"))
    assert (done.created_count, done.error_count) == (4, 2)
    assert any("hors de votre territoire" in " ".join(e["erreurs"]) for e in done.errors)
    assert 0 < running.next_row < running.total_rows and running.claimed_until is None  # the recovery resumes it
    client = Client()
    client.force_login(moderator)
    assert "En cours (33 %)" in client.get(reverse("registry:import")).content.decode()

    # National team's downloads: one file ready (real, its checksum matches), one waiting.
    ready = ExportJob.objects.get(requested_by=national, status=ExportJob.Status.READY)
    with ready.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == ready.sha256 and ready.rows_written > 0
    assert ExportJob.objects.filter(requested_by=national, status=ExportJob.Status.QUEUED).count() == 1
    # The journal names the states of the background work in French, never their codes.
    labels = {e.to_state_label for e in AuditEvent.objects.for_object(ready) if e.to_state}
    assert labels == {"En attente", "Prêt"}
    labels = {e.to_state_label for e in AuditEvent.objects.for_object(done) if e.to_state}
    assert labels == {"Terminé"}

    # The yearly review: pro@'s entry awaits its confirmation; one in Bretagne is proposed for suspension.
    mine = Entry.objects.get(members=pro)
    assert mine.review_state == ReviewState.REQUESTED and review.awaits_confirmation(mine)
    proposed = list(review.proposed_suspensions(moderator))
    assert len(proposed) == 1 and proposed[0].region_id == "53" and proposed[0].is_published

    # Decision letters of the 2021 call: porteur@'s issued (stored, checksum audited), the others waiting.
    letters = DecisionLetter.objects.filter(application__call__campaign__year=2021)
    issued = letters.get(state=DecisionLetter.State.ISSUED)
    assert issued.application.created_by.email == "porteur@demo.1000jours.fr" and issued.sha256
    assert letters.filter(state=DecisionLetter.State.REQUESTED).count() == 2
    client.force_login(accounts["ars.bretagne@demo.1000jours.fr"])
    page = client.get(reverse("calls:allocation", args=[issued.application.call_id])).content.decode()
    assert page.count("Courrier émis, en cours d&#x27;envoi") == 1 and page.count("Courrier en préparation") == 2
    assert "(2 notes)" in page and "(1 note)" in page and "note(s)" not in page

    before = _rows()
    load_demo()
    assert _rows() == before
