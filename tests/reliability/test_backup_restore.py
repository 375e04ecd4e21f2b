"""Backup → wipe → restore with the data of every module (entries with evidence files,
calls, applications with attachments, laureates, deployments): every table row and every
uploaded file comes back identical. Runs on SQLite and on PostgreSQL (pg_dump/pg_restore)."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests.foundation.test_backup import _files_snapshot, _tables_snapshot
from tpj.registry.models import Entry

from .conftest import ensure_measures
from .roles import make_cast
from .world import World

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_backup_wipe_restore_round_trip_with_every_module(settings, tmp_path):
    ensure_measures()
    world = World(make_cast())
    media = Path(settings.MEDIA_ROOT)
    tables, files = _tables_snapshot(), _files_snapshot(media)
    assert len(files) >= 4 and world["evidence_in"].evidence.name in files
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())

    Entry.objects.filter(pk=world["entry_in"].pk).update(name="Modifiée après la sauvegarde")
    world["entry_out"].delete()
    for path in list(media.rglob("*"))[:3]:
        if path.is_file():
            path.unlink()
    (media / "intrus.txt").write_text("ajouté après la sauvegarde")
    assert _tables_snapshot() != tables

    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    connection.close()
    restored = _tables_snapshot()
    differing = [t for t in tables if restored.get(t) != tables[t]]
    assert not differing, f"tables differing after restore: {differing}"
    assert _files_snapshot(media) == files
