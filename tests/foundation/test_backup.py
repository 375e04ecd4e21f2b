"""backup → wipe → restore gives back every table row and every uploaded file."""

import hashlib
import io
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import OrganisationFactory, UserFactory, user_with_role
from tpj.accounts.models import Role
from tpj.audit.services import record

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _tables_snapshot() -> dict[str, list]:
    with connection.cursor() as cursor:
        snapshot = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            snapshot[table] = sorted(map(repr, cursor.fetchall()))
    return snapshot


def _files_snapshot(root) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    (root / "justificatifs" / "2026").mkdir(parents=True)
    (root / "justificatifs" / "2026" / "agrément PMI.pdf").write_bytes(b"%PDF-1.7 " + bytes(range(256)) * 40)
    (root / "appels" / "cahier-des-charges.odt").parent.mkdir(parents=True)
    (root / "appels" / "cahier-des-charges.odt").write_bytes(b"PK\x03\x04 contenu")
    settings.MEDIA_ROOT = root
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": root}}}
    return root


def test_backup_wipe_restore_gives_back_every_row_and_file(media_root, tmp_path):
    admin = user_with_role(Role.ADMINISTRATOR, email="admin@example.fr")
    org = OrganisationFactory(name="Maison des familles de Brest", commune_id="29019", region_id="53")
    UserFactory(email="membre@example.fr", organisation=org)
    user_with_role(Role.MODERATOR, departements=["29", "56"])
    record(actor=admin, obj=org, action="registry.verify", from_state="submitted", to_state="verified", reason="Conforme")
    tables, files = _tables_snapshot(), _files_snapshot(media_root)
    archive = tmp_path / "sauvegarde.tar.gz"

    call_command("backup", output=str(archive))

    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "media/justificatifs/2026/agrément PMI.pdf", "media/appels/cahier-des-charges.odt"} <= names
    assert names & {"database.sqlite3", "database.pgdump"}

    # Wipe: rows deleted and changed, files deleted, modified and added.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    UserFactory(email="intrus@example.fr")
    org.delete()
    (media_root / "appels" / "cahier-des-charges.odt").unlink()
    (media_root / "justificatifs" / "2026" / "agrément PMI.pdf").write_bytes(b"falsifie")
    (media_root / "nouveau.txt").write_text("ajouté après la sauvegarde")
    assert _tables_snapshot() != tables and _files_snapshot(media_root) != files

    call_command("restore", str(archive), yes=True, stdout=io.StringIO())

    assert _tables_snapshot() == tables
    assert _files_snapshot(media_root) == files


def test_restore_refuses_a_corrupted_archive_and_changes_nothing(media_root, tmp_path):
    UserFactory(email="garde@example.fr")
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    # Rebuild the archive with one tampered file.
    tampered = tmp_path / "alteree.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith(".odt"):
                data = b"altere"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    UserFactory(email="apres@example.fr")
    tables, files = _tables_snapshot(), _files_snapshot(media_root)
    with pytest.raises(CommandError, match="archive corrompue"):
        call_command("restore", str(tampered), yes=True)
    assert _tables_snapshot() == tables and _files_snapshot(media_root) == files


def test_restore_asks_for_confirmation(media_root, tmp_path, monkeypatch):
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    monkeypatch.setattr("builtins.input", lambda prompt: "non")
    with pytest.raises(CommandError, match="Restauration annulée"):
        call_command("restore", str(archive))


def test_restore_refuses_what_is_not_an_archive(tmp_path):
    junk = tmp_path / "pas-une-archive.tar.gz"
    junk.write_text("bonjour")
    with pytest.raises(CommandError, match="Archive illisible"):
        call_command("restore", str(junk), yes=True)
