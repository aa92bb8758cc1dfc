"""`backup` and `restore`: one archive brings an installation back into a fresh, empty database."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zipfile
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from audit.models import AuditChainHead, AuditEvent
from dossiers.models import Document, Dossier, State
from operations import backups
from tests import harness
from tests.factories import Cast, dossier_in, own_certificate, signing_certificate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def installation(period, unit_a):
    """Dossiers in several states with their documents, audit events and a signing certificate."""
    dossier_in(State.DRAFT, period, unit_a)
    dossier_in(State.SUBMITTED, period, unit_a)
    dossier_in(State.REVIEWED, period, unit_a)
    own_certificate(Cast(period.institution).holder("principal"))
    signing_certificate()


def snapshot_of_data() -> dict:
    """What a restore must keep: every dossier, every document's hash, every audit event."""
    return {
        "dossiers": sorted(Dossier.objects.values_list("pk", "state", "version")),
        "documents": sorted(Document.objects.values_list("pk", "sha256", "file")),
        "events": list(AuditEvent.objects.order_by("institution_id", "sequence").values_list(
            "institution_id", "sequence", "action", "hash")),
        "heads": sorted(AuditChainHead.objects.values_list("institution_id", "sequence", "hash")),
    }  # fmt: skip


@contextmanager
def fresh_database(tmp_path):
    """The default connection points, for the block, at a new database with no tables at all."""
    original = connections["default"]
    settings_dict = dict(original.settings_dict)
    if original.vendor == "postgresql":
        settings_dict["NAME"] = f"{original.settings_dict['NAME']}_restored"
        _as_owner(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
        _as_owner(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    else:
        settings_dict["NAME"] = str(tmp_path / "fresh.sqlite3")
    fresh = original.__class__(settings_dict, alias="default")
    connections["default"] = fresh
    try:
        yield fresh
    finally:
        fresh.close()
        connections["default"] = original
        if original.vendor == "postgresql":
            _as_owner(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')


def _as_owner(sql: str) -> None:
    owner = harness.owner_connection()
    try:
        with owner.cursor() as cursor:
            cursor.execute(sql)
    finally:
        owner.close()


def rows_in_product_tables() -> int:
    return sum(model._base_manager.count() for _, model in backups.product_tables())


def media_files(root) -> dict:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def restore(path) -> str:
    out = StringIO()
    call_command("restore", str(path), stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.parametrize("name", ["backup.tar.gz", "backup.zip"])
def test_a_restore_into_a_fresh_database_keeps_every_dossier_document_and_audit_event(
    installation, tmp_path, settings, name
):
    before = snapshot_of_data()
    call_command("backup", str(tmp_path / name), stdout=StringIO())
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with fresh_database(tmp_path):
        restore(tmp_path / name)
        after = snapshot_of_data()
        restored = {d.sha256: media_files(settings.MEDIA_ROOT).get(d.file.name)
                    for d in Document.objects.all()}  # fmt: skip

    assert after == before
    assert len(before["events"]) > 10
    assert all(found == sha256 for sha256, found in restored.items())


def test_after_a_restore_the_chains_verify_and_the_heads_match_the_archive(
    installation, tmp_path, settings
):
    call_command("backup", str(tmp_path / "b.tar.gz"), stdout=StringIO())
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with fresh_database(tmp_path):
        report = restore(tmp_path / "b.tar.gz")
        verified = StringIO()
        call_command("verify_audit", stdout=verified)

    assert "heads match" in report
    assert "matches the archive" in report
    assert "events verified" in verified.getvalue()  # verify_audit exits 1 otherwise


def test_the_manifest_records_each_chain_head_and_every_files_sha256(installation, tmp_path):
    call_command("backup", str(tmp_path / "b.tar.gz"), stdout=StringIO())

    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        contents = {
            m.name: archive.extractfile(m).read() for m in archive if m.name != "manifest.json"
        }

    head = AuditChainHead.objects.get()
    assert manifest["chain_heads"] == [
        {"institution": "test-college", "sequence": head.sequence, "hash": head.hash}
    ]
    assert manifest["files"] == {n: hashlib.sha256(c).hexdigest() for n, c in contents.items()}


def test_the_archive_holds_public_certificates_and_no_private_key(installation, tmp_path):
    call_command("backup", str(tmp_path / "b.zip"), stdout=StringIO())

    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        names = archive.namelist()
        certificates = [archive.read(n) for n in names if n.startswith("certificates/")]
        everything = b"".join(archive.read(n) for n in names if not n.startswith("database"))

    assert "certificates/system-key.pem" in names
    assert len(certificates) == 2  # the principal's and the system key's
    assert all(c.startswith(b"-----BEGIN CERTIFICATE-----") for c in certificates)
    assert b"PRIVATE KEY" not in everything
    assert not any(n.endswith((".p12", ".pfx", ".key")) for n in names)


def test_restore_refuses_a_database_that_has_rows_and_changes_nothing(installation, tmp_path):
    call_command("backup", str(tmp_path / "b.tar.gz"), stdout=StringIO())
    before = snapshot_of_data()

    with pytest.raises(CommandError, match=r"restore needs (an empty|a new) database"):
        restore(tmp_path / "b.tar.gz")

    assert snapshot_of_data() == before


def test_restore_refuses_a_tampered_archive_and_stores_nothing(installation, tmp_path, settings):
    call_command("backup", str(tmp_path / "b.tar.gz"), stdout=StringIO())
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tmp_path / "b.tar.gz") as source, tarfile.open(tampered, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = data.replace(b"%PDF", b"%PDX", 1)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with fresh_database(tmp_path):
        with pytest.raises(CommandError, match="does not match its manifest"):
            restore(tampered)
        assert backups.product_tables() == []  # not even the tables were created

    assert not (tmp_path / "restored-media").exists()


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    (tmp_path / "notes.zip").write_bytes(b"not a zip")

    with pytest.raises(CommandError, match="cannot be read as an archive"):
        restore(tmp_path / "notes.zip")


def test_backup_refuses_to_overwrite_an_archive(db, tmp_path):
    (tmp_path / "b.tar.gz").write_bytes(b"yesterday's")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(tmp_path / "b.tar.gz"), stdout=StringIO())

    assert (tmp_path / "b.tar.gz").read_bytes() == b"yesterday's"


@pytest.mark.postgres
def test_after_a_restore_the_application_role_appends_to_the_trail_but_cannot_rewrite_it(
    installation, tmp_path, settings
):
    from audit import roles

    call_command("backup", str(tmp_path / "b.tar.gz"), stdout=StringIO())
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with fresh_database(tmp_path) as restored:
        restore(tmp_path / "b.tar.gz")
        dossier_in(State.SUBMITTED, Dossier.objects.first().period, Dossier.objects.first().unit)
        held = roles.rewrite_privileges(restored)

    assert held == [] or not harness.two_roles()
