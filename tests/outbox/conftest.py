import pytest
from django.conf import settings as django_settings

from tpj.outbox import purposes


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Attachments of these tests go to a temporary MEDIA_ROOT, never var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {**django_settings.STORAGES["default"], "OPTIONS": {"location": settings.MEDIA_ROOT}},
    }


@pytest.fixture
def hook_calls(monkeypatch):
    """A purpose "tests.ping" whose on_sent hook records the messages it is called with (only for the test)."""
    calls = []
    monkeypatch.setitem(purposes._PURPOSES, "tests.ping", purposes.Purpose("tests.ping", "Essai", calls.append))
    monkeypatch.setitem(
        purposes._PURPOSES, "tests.secret", purposes.Purpose("tests.secret", "Essai avec lien personnel", sensitive=True)
    )
    return calls


@pytest.fixture
def time_passes():
    """Move the outbox's clock forward: every backoff and lease ends `delta` earlier (the rows'
    timestamps go back, so the code under test reads the real time)."""
    from datetime import timedelta

    from django.db.models import F

    from tpj.outbox.models import OutgoingEmail

    def run(delta=timedelta(days=2)):
        OutgoingEmail.objects.update(next_attempt_at=F("next_attempt_at") - delta, claimed_until=F("claimed_until") - delta)

    return run
