"""One archive of what a restore needs, and bringing it back into an empty database.

The archive (.tar.gz or .zip) holds `manifest.json`, the database (`pg_dump --format=custom`
as the owner, or an SQLite copy through SQLite's backup API), `media/` (MEDIA_ROOT) and
`certificates/` (the public certificates of every signing credential and of the system key;
never a private key, PIN or passphrase). The manifest names every other file with its SHA-256,
and each institution's audit chain head (sequence and hash), all read from the one snapshot the
database was dumped from.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import textwrap
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from audit import hashchain, log, roles
from audit.models import AuditChainHead
from decisions import signing
from decisions.models import SigningCredential
from dossiers.models import Institution

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
# Rows that `migrate` itself writes into a fresh database: they do not make it non-empty.
WRITTEN_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why (nothing was stored)."""


def archive_kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return "tar"
    if name.endswith(".zip"):
        return "zip"
    raise BackupError(f"{path}: name the archive .tar.gz or .zip")


# Backing up


def write(path: Path) -> dict:
    """Write the archive at `path` (refusing to overwrite one); its manifest."""
    kind = archive_kind(path)
    if path.exists():
        raise BackupError(f"{path} already exists: back up to a new file")
    with tempfile.TemporaryDirectory(prefix="thidua-backup-") as tmp:
        staging = Path(tmp)
        manifest = _snapshot(staging)
        (staging / "certificates").mkdir(exist_ok=True)
        manifest["system_certificate"] = _system_certificate(staging / "certificates")
        files = [(p, p.relative_to(staging).as_posix()) for p in _files_under(staging)]
        media = Path(settings.MEDIA_ROOT)
        files += [(p, f"media/{p.relative_to(media).as_posix()}") for p in _files_under(media)]
        manifest["files"] = {name: _sha256(p) for p, name in files}
        partial = path.with_name(path.name + ".partial")
        _pack(partial, kind, files, json.dumps(manifest, indent=2, ensure_ascii=False))
        os.replace(partial, path)
    return manifest


def _snapshot(staging: Path) -> dict:
    """Dump the database and read the chain heads and certificates from the same snapshot."""
    vendor = connection.vendor
    database = DATABASE_FILES.get(vendor)
    if database is None:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {vendor}")
    if vendor == "postgresql":
        with roles.as_owner(connection), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            heads, credentials = list(_heads()), list(_credentials())
            _pg_dump(staging / database, snapshot)
    else:
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("back up outside a transaction")
        with closing(sqlite3.connect(staging / database)) as copy:
            connection.connection.backup(copy)  # in one step: a consistent copy
            heads, credentials = (
                [tuple(r) for r in _run_on(copy, q)] for q in (_heads(), _credentials())
            )
    return {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "database": {"vendor": vendor, "file": database},
        "chain_heads": [{"institution": c, "sequence": n, "hash": h} for c, n, h in heads],
        "certificates": _write_certificates(staging / "certificates", credentials),
    }


def _heads():
    return AuditChainHead.objects.order_by("institution__code").values_list(
        "institution__code", "sequence", "hash"
    )


def _credentials():
    return SigningCredential.objects.order_by("pk").values_list(
        "pk", "certificate_pem", "fingerprint", "subject_name", "archived_at"
    )


def _run_on(copy: sqlite3.Connection, queryset) -> list:
    """The queryset's rows read from the SQLite copy (the same schema, so the same SQL)."""
    sql, params = queryset.query.sql_with_params()
    return copy.execute(sql, params).fetchall()


def _write_certificates(folder: Path, credentials: list[tuple]) -> list[dict]:
    folder.mkdir()
    found = []
    for pk, pem, fingerprint, subject, archived_at in credentials:
        name = f"credential-{pk}.pem"
        (folder / name).write_text(pem)
        found.append(
            {"file": f"certificates/{name}", "fingerprint": fingerprint, "subject": subject,
             "archived": archived_at is not None}
        )  # fmt: skip
    return found


def _system_certificate(folder: Path) -> str:
    """The system key's certificate (checkpoints), or why it could not be read."""
    try:
        with signing.configured_signer() as signer:
            pem = signer.signing_cert.dump()
    except (signing.SigningFailed, ImproperlyConfigured) as error:
        return f"not included: {error}"
    target = folder / "system-key.pem"
    target.write_text(_pem(pem))
    return "certificates/system-key.pem"


def _pem(der: bytes) -> str:
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"


def _pg_dump(target: Path, snapshot: str) -> None:
    _run_postgres_tool(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
         f"--snapshot={snapshot}", f"--file={target}"]
    )  # fmt: skip


def _run_postgres_tool(arguments: list[str]) -> None:
    """Run pg_dump or pg_restore against the connected database, as the connected role."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "PGDATABASE": db["NAME"],
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
    }
    try:
        done = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{arguments[0]} is not installed (postgresql-client)") from None
    if done.returncode:
        raise BackupError(f"{arguments[0]} failed: {done.stderr.strip()}")


def _files_under(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pack(path: Path, kind: str, files: list[tuple[Path, str]], manifest: str) -> None:
    data = manifest.encode()
    if kind == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, data)
            for source, name in files:
                archive.write(source, name)
        return
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(data), int(timezone.now().timestamp())
        archive.addfile(info, _BytesReader(data))
        for source, name in files:
            archive.add(source, name, recursive=False)


class _BytesReader:
    def __init__(self, data: bytes):
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk, self._at = self._data[self._at : end], min(end, len(self._data))
        return chunk


# Restoring


@dataclass
class HeadCheck:
    institution: str
    expected: tuple[int, str]
    found: tuple[int, str] | None
    chain: str
    intact: bool

    @property
    def ok(self) -> bool:
        return self.intact and self.found == self.expected

    def __str__(self) -> str:
        seq, hash_ = self.expected
        if self.found is None:
            return f"{self.institution}: the archive's chain head #{seq} is missing after restore"
        if self.found != self.expected:
            return (
                f"{self.institution}: the chain head is #{self.found[0]} {self.found[1][:16]}…, "
                f"the archive's manifest says #{seq} {hash_[:16]}…"
            )
        return (
            f"{self.institution}: {self.chain}; the head #{seq} {hash_[:16]}… matches the archive"
        )


def restore(path: Path) -> list[HeadCheck]:
    """Check the archive and the target, load the database and media, then verify the chains."""
    kind = archive_kind(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such archive")
    with tempfile.TemporaryDirectory(prefix="thidua-restore-") as tmp:
        staging = Path(tmp)
        manifest = _unpack_verified(path, kind, staging)
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                f"the archive holds a {vendor} database; this installation uses {connection.vendor}"
            )
        _refuse_unless_empty()
        _refuse_media_conflicts(staging / "media")
        database = staging / manifest["database"]["file"]
        if vendor == "postgresql":
            with roles.as_owner(connection):
                _run_postgres_tool(
                    ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
                     "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}",
                     str(database)]
                )  # fmt: skip
        else:
            with closing(sqlite3.connect(database)) as source:
                connection.ensure_connection()
                source.backup(connection.connection)
        _copy_media(staging / "media")
    # Brings an older archive up to this version; on PostgreSQL it also grants the
    # application's role its privileges again (pg_restore ran without them).
    call_command("migrate", interactive=False, verbosity=0)
    return check_heads(manifest["chain_heads"])


def _unpack_verified(path: Path, kind: str, staging: Path) -> dict:
    """Extract into `staging`, refusing an archive whose files do not match its manifest."""
    names = set()
    for name, read in _members(path, kind):
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise BackupError(f"{path}: the member {name!r} points outside the archive")
        target = staging.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with read() as content, target.open("wb") as out:
            shutil.copyfileobj(content, out, CHUNK)
        names.add(relative.as_posix())
    if MANIFEST not in names:
        raise BackupError(f"{path} is not a backup archive: it has no {MANIFEST}")
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
        expected = dict(manifest["files"])
        well_formed = (
            isinstance(manifest["chain_heads"], list) and manifest["database"]["file"] in expected
        )
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{path}: the manifest cannot be read ({error})") from None
    if not well_formed:
        raise BackupError(f"{path}: the manifest names no database file or chain heads")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: archive format {manifest.get('format')!r}, expected {FORMAT}")
    names.discard(MANIFEST)
    problems = [f"{n} is not in the manifest" for n in sorted(names - set(expected))]
    problems += [f"{n} is missing" for n in sorted(set(expected) - names)]
    problems += [
        f"{n} has SHA-256 {digest}, the manifest says {expected[n]}"
        for n in sorted(names & set(expected))
        if (digest := _sha256(staging / n)) != expected[n]
    ]
    if problems:
        raise BackupError(
            f"{path} does not match its manifest, nothing was restored: " + "; ".join(problems[:5])
        )
    return manifest


def _members(path: Path, kind: str) -> Iterator[tuple[str, object]]:
    """(name, a function opening its content) for each regular file of the archive."""
    try:
        if kind == "zip":
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if not info.is_dir():
                        yield info.filename, lambda info=info: archive.open(info)
            return
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if member.isfile():
                    yield member.name, lambda member=member: archive.extractfile(member)
                elif not member.isdir():
                    raise BackupError(f"{path}: the member {member.name!r} is not a plain file")
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as error:
        raise BackupError(f"{path} cannot be read as an archive ({error})") from None


def product_tables() -> list[tuple[str, type]]:
    """The tables whose rows a restore would collide with, that exist in the database."""
    existing = set(connection.introspection.table_names())
    return [
        (model._meta.db_table, model)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in WRITTEN_BY_MIGRATE
        and model._meta.db_table in existing
        and model._meta.managed
    ]


def _refuse_unless_empty() -> None:
    tables = product_tables()
    if tables and connection.vendor == "postgresql":
        raise BackupError(
            "restore needs a new database without tables (pg_restore creates them); this one "
            f"has {len(tables)}. Create one with createdb, unmigrated, and restore into it."
        )
    filled = [table for table, model in tables if model._base_manager.exists()]
    if filled:
        raise BackupError(
            "restore needs an empty database; this one has rows in "
            + ", ".join(filled[:5])
            + (f" and {len(filled) - 5} more tables" if len(filled) > 5 else "")
            + ". Create a new database (createdb) and restore into it."
        )


def _refuse_media_conflicts(source: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    clashes = [
        relative
        for file in _files_under(source)
        if (target := media / (relative := file.relative_to(source))).exists()
        and _sha256(target) != _sha256(file)
    ]
    if clashes:
        raise BackupError(
            f"MEDIA_ROOT ({media}) already holds other files of the same names, e.g. "
            f"{clashes[0]}: restore into an empty media folder"
        )


def _copy_media(source: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    for file in _files_under(source):
        target = media / file.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
        target.chmod(settings.FILE_UPLOAD_PERMISSIONS or 0o640)


def check_heads(expected: list[dict]) -> list[HeadCheck]:
    """Each institution's chain verifies and ends at the head the archive recorded."""
    found = {
        code: (seq, hash_)
        for code, seq, hash_ in AuditChainHead.objects.values_list(
            "institution__code", "sequence", "hash"
        )
    }
    institutions = {i.code: i for i in Institution.objects.all()}
    checks = []
    for head in expected:
        code = head["institution"]
        institution = institutions.get(code)
        report = log.verify_institution(institution) if institution else None
        checks.append(
            HeadCheck(
                institution=code,
                expected=(head["sequence"], head["hash"]),
                found=found.get(code),
                chain=_describe(report),
                intact=bool(report and report.intact),
            )
        )
    return checks


def _describe(report) -> str:
    return hashchain.describe(report) if report else "the institution is missing"
