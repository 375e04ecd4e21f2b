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


def read_manifest(archive_path: Path) -> dict:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            manifest = json.load(archive.extractfile("manifest.json"))
    except (OSError, KeyError, tarfile.TarError, json.JSONDecodeError) as error:
        raise BackupError(f"Archive illisible ou incomplète : {archive_path} ({error}).") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError("Format d'archive inconnu.")
    return manifest


def _restore_database(dump: Path, manifest: dict, alias="default") -> None:
    connection = connections[alias]
    if manifest["engine"] == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)  # replaces every page of the live database
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
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(tmp, filter="data")
        dump = tmp / manifest["database"]
        if _sha256(dump) != manifest["database_sha256"]:
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
