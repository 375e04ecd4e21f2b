"""`manage.py restore` of a dangerous or altered archive ends with a French CommandError,
never a traceback, and restores nothing (issue 13, §7): path traversal, absolute paths,
links, unexpected members, an altered manifest."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import OrganisationFactory
from tpj.accounts.models import Organisation

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _add(archive, name, data=b"", **attributes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attributes.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(data) if data else None)


def _archive(tmp_path, backup, extra, *, manifest_changes=None) -> Path:
    """The real backup, rewritten with one more (dangerous) member and a manifest that
    still matches: only the extra member is wrong."""
    path = tmp_path / "piegee.tar.gz"
    with tarfile.open(backup, "r:gz") as source, tarfile.open(path, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else b""
            if member.name == "manifest.json" and manifest_changes is not None:
                manifest = json.loads(data)
                manifest_changes(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if member.isfile() else None)
        extra(target)
    return path


@pytest.fixture
def setup(settings, tmp_path):
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    (media / "avant.txt").write_text("contenu d'avant")
    OrganisationFactory(name="Sauvegardée")
    backup = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", output=str(backup), stdout=io.StringIO())
    # After the backup: what a refused restore must leave alone.
    OrganisationFactory(name="Créée après la sauvegarde")
    (media / "apres.txt").write_text("ajouté après la sauvegarde")
    return media, backup


DANGEROUS = {
    "traversal": lambda t: _add(t, "media/../../../../../../../../../tmp/tpj-evade.txt", b"pwned"),
    "dotdot-top": lambda t: _add(t, "../evade.txt", b"pwned"),
    "absolute": lambda t: _add(t, "/tmp/tpj-evade-absolu.txt", b"pwned"),
    "symlink": lambda t: _add(t, "media/lien", type=tarfile.SYMTYPE, linkname="/etc/passwd"),
    "hardlink": lambda t: _add(t, "media/dur", type=tarfile.LNKTYPE, linkname="/etc/passwd"),
    "device": lambda t: _add(t, "media/periph", type=tarfile.CHRTYPE, devmajor=1, devminor=3),
    "unexpected": lambda t: _add(t, "settings.py", b"DEBUG = True"),
}


def _state(media):
    files = {str(p.relative_to(media)): hashlib.sha256(p.read_bytes()).hexdigest() for p in media.rglob("*") if p.is_file()}
    connection.close()
    return files, sorted(Organisation.objects.values_list("name", flat=True))


@pytest.mark.parametrize("kind", DANGEROUS)
def test_a_dangerous_member_is_a_french_error_and_nothing_is_restored(setup, tmp_path, kind):
    media, backup = setup
    archive = _archive(tmp_path, backup, DANGEROUS[kind])
    before = _state(media)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    message = str(refused.value)
    assert message.startswith("Archive refusée, rien n'a été restauré"), message
    assert _state(media) == before
    assert "Créée après la sauvegarde" in before[1]
    assert not Path("/tmp/tpj-evade.txt").exists() and not (tmp_path.parent / "evade.txt").exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.pop("engine"),
        lambda m: m.update(media=["liste"]),
        lambda m: m.update(database="../../etc/passwd"),
        lambda m: m.clear(),
    ],
    ids=["no-engine", "media-not-a-mapping", "database-elsewhere", "empty"],
)
def test_an_altered_manifest_is_a_french_error(setup, tmp_path, change):
    media, backup = setup
    archive = _archive(tmp_path, backup, lambda t: None, manifest_changes=change)
    before = _state(media)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert "archive" in str(refused.value).lower() or "manifeste" in str(refused.value).lower()
    assert _state(media) == before


def test_the_untouched_backup_still_restores(setup, tmp_path):
    media, backup = setup
    call_command("restore", str(backup), "--yes", stdout=io.StringIO())
    files, names = _state(media)
    assert "avant.txt" in files and "apres.txt" not in files
    assert "Créée après la sauvegarde" not in names and "Sauvegardée" in names
