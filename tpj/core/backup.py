"""One-archive backups: the database (SQLite backup API or pg_dump) and MEDIA_ROOT.

The archive (`.tar.gz`) holds `manifest.json`, `database.sqlite3` or `database.pgdump`,
and `media/…`. Restoring replaces the whole database and the whole MEDIA_ROOT, then
checks every file against the SHA-256 of the manifest.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT_VERSION = 1
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"


class BackupError(Exception):
    """Its message is the French explanation shown to the operator."""


def _engine(alias="default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Moteur de base non pris en charge : {vendor}.")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _pg_env(connection) -> dict:
    params = connection.get_connection_params()
    env = dict(os.environ)
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD")):
        if params.get(key):
            env[var] = str(params[key])
    return env


def _dump_database(target: Path, alias="default") -> str:
    connection = connections[alias]
    if _engine(alias) == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # consistent copy, even while in use
        finally:
            destination.close()
        return SQLITE_MEMBER
    dbname = connection.get_connection_params()["dbname"]
    with open(target, "wb") as out:
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", dbname],
            stdout=out,
            stderr=subprocess.PIPE,
            env=_pg_env(connection),
            check=False,
        )
    if result.returncode:
        raise BackupError(f"pg_dump a échoué : {result.stderr.decode(errors='replace').strip()}")
    return PG_MEMBER


def create_backup(output: Path, alias="default") -> dict:
    """Write the archive to `output`; return its manifest."""
    media_root = Path(settings.MEDIA_ROOT)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "database"
        member = _dump_database(dump, alias)
        migrations = {}
        for app, name in MigrationRecorder(connections[alias]).migration_qs.values_list("app", "name").order_by("app", "name"):
            migrations[app] = name
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "engine": _engine(alias),
            "database": member,
            "database_sha256": _sha256(dump),
            "migrations": migrations,
            "media": _media_files(media_root),
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=member)
            for relative in manifest["media"]:
                archive.add(media_root / relative, arcname=f"media/{relative}")
        partial.replace(output)  # never a half-written archive under the final name
    return manifest


MANIFEST_KEYS = {"format": int, "created_at": str, "engine": str, "database": str, "database_sha256": str, "media": dict}


def read_manifest(archive_path: Path) -> dict:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            manifest = json.load(archive.extractfile("manifest.json"))
    except (OSError, KeyError, AttributeError, TypeError, tarfile.TarError, ValueError, EOFError) as error:
        raise BackupError(f"Archive illisible ou incomplète : {archive_path} ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError("Format d'archive inconnu.")
    if any(not isinstance(manifest.get(key), kind) for key, kind in MANIFEST_KEYS.items()) or manifest["database"] not in (
        SQLITE_MEMBER,
        PG_MEMBER,
    ):
        raise BackupError("Manifeste de l'archive incomplet ou altéré : ce n'est pas une archive de `manage.py backup`.")
    return manifest


def _unsafe_member(member: tarfile.TarInfo, manifest: dict) -> str | None:
    """Why this member may not be restored (None if it may): only the manifest, the database
    dump and regular files and folders under media/, with relative paths that stay inside."""
    name = member.name
    parts = Path(name).parts
    if name.startswith(("/", "\\")) or ".." in parts or "\\" in name or (parts and ":" in parts[0]):
        return "chemin hors de l'archive"
    if not (member.isfile() or (member.isdir() and parts[:1] == ("media",))):
        return "ni fichier ni dossier (lien, périphérique…)"
    if name not in ("manifest.json", manifest["database"]) and parts[:1] != ("media",):
        return "fichier inattendu"
    return None


def _extract(archive_path: Path, manifest: dict, destination: Path) -> None:
    """Check every member BEFORE extracting any: an archive with one dangerous member is
    refused whole, and nothing is written outside `destination`."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            members = archive.getmembers()
            refused = [f"{m.name} ({why})" for m in members if (why := _unsafe_member(m, manifest))]
            if refused:
                raise BackupError(
                    "Archive refusée, rien n'a été restauré : membre(s) dangereux ou inattendus : " + ", ".join(refused[:5]) + "."
                )
            archive.extractall(destination, members=members, filter="data")
    except (OSError, tarfile.TarError, EOFError) as error:
        raise BackupError(f"Archive illisible ou altérée, rien n'a été restauré : {error}.") from None


def _restore_database(dump: Path, manifest: dict, alias="default") -> None:
    connection = connections[alias]
    if manifest["engine"] == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)  # replaces every page of the live database
        except sqlite3.Error as error:
            raise BackupError(f"La base de l'archive est illisible : {error}.") from None
        finally:
            source.close()
        return
    dbname = connection.get_connection_params()["dbname"]
    connection.close()
    result = subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--dbname",
            dbname,
            str(dump),
        ],
        capture_output=True,
        env=_pg_env(connection),
        check=False,
    )
    if result.returncode:
        raise BackupError(f"pg_restore a échoué : {result.stderr.decode(errors='replace').strip()}")


def restore_backup(archive_path: Path, alias="default") -> dict:
    """Replace the database and MEDIA_ROOT with the archive's; return its manifest."""
    manifest = read_manifest(archive_path)
    if manifest["engine"] != _engine(alias):
        raise BackupError(f"Cette sauvegarde vient d'une base {manifest['engine']} ; la base configurée est {_engine(alias)}.")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _extract(archive_path, manifest, tmp)
        dump = tmp / manifest["database"]
        if not dump.is_file() or _sha256(dump) != manifest["database_sha256"]:
            raise BackupError("L'empreinte de la base dans l'archive ne correspond pas : archive corrompue.")
        extracted = tmp / "media"
        if _media_files(extracted) != manifest["media"]:
            raise BackupError("Les fichiers de l'archive ne correspondent pas au manifeste : archive corrompue.")
        _restore_database(dump, manifest, alias)
        media_root.mkdir(parents=True, exist_ok=True)
        for child in media_root.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        if extracted.exists():
            shutil.copytree(extracted, media_root, dirs_exist_ok=True)
    if _media_files(media_root) != manifest["media"]:
        raise BackupError("Les fichiers restaurés ne correspondent pas au manifeste.")
    return manifest
