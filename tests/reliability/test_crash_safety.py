"""Crash safety: a real `manage.py import_registry` process is killed with SIGKILL in the
middle of a large CSV import. No partial chunk may remain (each chunk and the job's
`next_row` commit together), and running the command again resumes and finishes without
duplicates (idempotent on the external identifiers)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import children, running
from tpj.registry.models import Entry, ImportJob

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        not ON_POSTGRES, reason="the killed process and the test share a PostgreSQL database (SQLite tests run in memory)"
    ),
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(settings.BASE_DIR)
# Enough rows for the second process that checks chunks ahead to start (importer.chunks.MIN_AHEAD_ROWS).
ROWS, CHUNK, SOURCE = 12_000, 200, "Réseau crash-test"
HEADER = (
    "identifiant;nom;type;categorie;adresse;code_postal;commune;priorites;description;situation;organisme;"
    "type_organisme;type_reference;reference;email;telephone;contacts_publics"
)


def _csv(path: Path):
    lines = [HEADER] + [
        f"CR-{i};Relais Petite Enfance n° {i};etablissement;rpe;{i} rue de la Paix;35000;35238;8|9;Ateliers;2;CAF d'Ille-et-Vilaine;"
        f"securite_sociale;convention;CONV-{i};;;non"
        for i in range(ROWS)
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _command(path, tmp_path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    args = [sys.executable, "manage.py", "import_registry", str(path), "--source", SOURCE, "--chunk", str(CHUNK)]
    return args, env


def test_killed_import_leaves_whole_chunks_only_and_resumes_idempotently(tmp_path):
    path = tmp_path / "reseau.csv"
    _csv(path)
    args, env = _command(path, tmp_path)
    deadline = time.monotonic() + 120
    with subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        try:
            while time.monotonic() < deadline:
                job = ImportJob.objects.filter(source=SOURCE).first()
                if job and CHUNK * 3 <= job.next_row < ROWS - CHUNK * 3:
                    break
                assert process.poll() is None, f"the import ended before it could be killed: {process.stderr.read().decode()}"
                time.sleep(0.02)
            ahead = children(process.pid)
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert ahead, "no second process was checking chunks ahead"
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in ahead) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in ahead), "the second process outlived the killed import"

    job = ImportJob.objects.get(source=SOURCE)
    imported = Entry.objects.filter(import_source=SOURCE)
    assert 0 < job.next_row < ROWS, "the kill did not land in the middle of the import"
    assert job.next_row % CHUNK == 0, "next_row is not on a chunk boundary: a chunk was half-committed"
    assert imported.count() == job.created_count == job.next_row, "rows saved without the job knowing (or the reverse)"

    resumed = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr.decode()
    job.refresh_from_db()
    assert job.status == "done" and job.next_row == ROWS
    assert imported.count() == ROWS
    assert imported.values("external_id").distinct().count() == ROWS

    again = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode()
    assert imported.count() == ROWS, "re-running the same file created duplicates"
