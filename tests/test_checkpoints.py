"""Checkpoints: each institution's chain head signed daily and at each decision, published, and
provable against an export offline (`verify_audit --file --checkpoint`)."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from audit import checkpoints, hashchain, log
from audit.models import AuditChainHead, AuditEvent, Checkpoint
from decisions import checkpoints as signing
from dossiers.models import State
from tests.factories import dossier_in, signing_certificate


def append_events(institution, count: int) -> None:
    for n in range(1, count + 1):
        with transaction.atomic():
            log.append(institution=institution, actor=log.SYSTEM, action="dossier.edited",
                       object_type="test", object_id=n, reason=f"Lý do {n}")  # fmt: skip


def sign_now(institution) -> Checkpoint:
    signing_certificate()
    with transaction.atomic():
        return signing.sign_checkpoint(institution=institution)


def verify(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def signed_at_five(institution) -> Checkpoint:
    append_events(institution, 5)
    return sign_now(institution)


@pytest.fixture
def files(institution, signed_at_five, tmp_path) -> tuple[Path, Path]:
    """An export of the whole trail and the checkpoint's file, as a reader downloads them."""
    trail, cp = tmp_path / "trail.jsonl", tmp_path / "cp.json"
    assert verify("--export", str(trail))[0] == 0
    cp.write_text(signed_at_five.document(institution.code), encoding="utf-8")
    return trail, cp


# Signing


def test_a_checkpoint_names_the_head_and_is_recorded_in_the_trail(institution, signed_at_five):
    event = AuditEvent.objects.get(institution=institution, sequence=6)

    assert (signed_at_five.sequence, signed_at_five.hash) == (
        5,
        AuditEvent.objects.get(institution=institution, sequence=5).hash,
    )
    assert event.action == "audit.checkpoint_signed"
    assert event.payload["sequence"] == 5
    assert event.payload["hash"] == signed_at_five.hash


def test_signing_a_decision_signs_a_checkpoint_of_the_head_after_its_signing_event(
    period, unit_a, institution
):
    dossier_in(State.SIGNED, period, unit_a)

    checkpoint = Checkpoint.objects.get(institution=institution)
    signed = AuditEvent.objects.get(institution=institution, action="decision.signed")
    last = AuditEvent.objects.filter(institution=institution).order_by("-sequence").first()
    assert checkpoint.sequence >= signed.sequence
    assert last.action == "audit.checkpoint_signed"
    assert last.sequence == checkpoint.sequence + 1


def test_the_daily_run_signs_each_moved_chain_once(institution, other_institution):
    signing_certificate()
    append_events(institution, 2)

    assert signing.sign_daily() == 1
    assert signing.sign_daily() == 0  # nothing happened since but recording the checkpoint
    append_events(institution, 1)
    assert signing.sign_daily() == 1
    assert not Checkpoint.objects.filter(institution=other_institution).exists()


def test_an_institution_whose_checkpoint_fails_does_not_keep_the_others_unsigned(
    institution, other_institution, monkeypatch
):
    signing_certificate()
    append_events(institution, 2)
    append_events(other_institution, 2)
    real = signing.sign_checkpoint

    def fails_for_the_first(*, institution, **kwargs):
        if institution.code == first.code:
            raise signing.SigningFailed("the key store is unreachable")
        return real(institution=institution, **kwargs)

    first, second = sorted([institution, other_institution], key=lambda i: i.code)
    monkeypatch.setattr(signing, "sign_checkpoint", fails_for_the_first)

    with pytest.raises(signing.CheckpointsFailed) as failed:
        signing.sign_daily()

    assert (failed.value.signed, failed.value.failures) == (
        1, {first.code: "the key store is unreachable"},
    )  # fmt: skip
    assert list(Checkpoint.objects.values_list("institution", flat=True)) == [second.pk]
    assert not AuditEvent.objects.filter(institution=first, action="audit.checkpoint_signed")


def test_the_command_signs_the_moved_chains_and_says_how_many(institution):
    signing_certificate()
    append_events(institution, 2)
    out = io.StringIO()

    call_command("sign_checkpoints", stdout=out)

    assert out.getvalue() == "1 checkpoint(s) signed.\n"
    assert Checkpoint.objects.filter(institution=institution).count() == 1


def test_the_command_fails_with_the_reason_when_a_checkpoint_cannot_be_signed(
    institution, settings
):
    append_events(institution, 2)
    settings.SIGNING_PKCS12_PATH = "/nonexistent/signer.p12"

    with pytest.raises(
        CommandError, match=f"0 checkpoint\\(s\\) signed, 1 failed \\({institution.code}: "
    ):
        call_command("sign_checkpoints")

    assert not Checkpoint.objects.exists()


def test_the_daily_task_is_scheduled_with_celery_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "decisions.background.sign_checkpoints_task" in tasks


# Append-only


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_checkpoint SET sequence = 1", "DELETE FROM audit_checkpoint"]
)
def test_the_database_refuses_to_change_or_delete_a_checkpoint(signed_at_five, sql):
    with (
        pytest.raises(DatabaseError, match=r"append-only|permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert Checkpoint.objects.get().sequence == 5


@pytest.mark.postgres
def test_the_database_refuses_to_truncate_the_checkpoints(signed_at_five):
    with (
        pytest.raises(DatabaseError, match=r"cannot be truncated|permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE audit_checkpoint")

    assert Checkpoint.objects.count() == 1


# Published


def test_the_public_verification_page_lists_checkpoints_with_a_download(
    institution, signed_at_five
):
    response = Client().get(reverse("verify_decision"))

    page = response.content.decode()
    assert response.status_code == 200
    assert signed_at_five.hash in page
    assert reverse("checkpoint_file", args=[signed_at_five.pk]) in page


def test_the_downloaded_checkpoint_verifies_and_names_the_head(institution, signed_at_five):
    response = Client().get(reverse("checkpoint_file", args=[signed_at_five.pk]))

    verified = checkpoints.verify(response.content.decode())
    assert response.status_code == 200
    assert (verified.institution, verified.sequence, verified.hash) == (
        institution.code, 5, signed_at_five.hash,
    )  # fmt: skip


def test_an_unknown_checkpoint_is_not_found(db):
    assert Client().get(reverse("checkpoint_file", args=[999])).status_code == 404


def test_the_checkpoint_signature_verifies_with_openssl(institution, signed_at_five, tmp_path):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("`openssl` is not installed: the README's offline check uses it")
    data = json.loads(signed_at_five.document(institution.code))
    (tmp_path / "body.json").write_bytes(checkpoints.canonical_bytes(data["checkpoint"]))
    (tmp_path / "sig.der").write_bytes(base64.b64decode(data["signature"]))

    result = subprocess.run(  # noqa: S603
        [openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der",
         "-content", "body.json", "-noverify", "-out", "/dev/null"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr


# Proving an export against a checkpoint, offline


def test_an_export_is_proved_consistent_with_its_checkpoint(files, signed_at_five):
    trail, cp = files

    code, stdout, stderr = verify("--file", str(trail), "--checkpoint", str(cp))

    assert (code, stderr) == (0, "")
    assert "consistent with the checkpoint at sequence 5" in stdout


def signer_pem(settings) -> bytes:
    """The signing certificate the institution publishes, as PEM."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    _key, certificate, _chain = pkcs12.load_key_and_certificates(
        Path(settings.SIGNING_PKCS12_PATH).read_bytes(),
        settings.SIGNING_PKCS12_PASSPHRASE.encode() or None,
    )
    return certificate.public_bytes(Encoding.PEM)


def test_an_export_is_proved_against_a_checkpoint_signed_by_the_published_certificate(
    files, settings, tmp_path
):
    trail, cp = files
    published = tmp_path / "signer.pem"
    published.write_bytes(signer_pem(settings))

    code, stdout, stderr = verify(
        "--file", str(trail), "--checkpoint", str(cp), "--certificate", str(published)
    )

    assert (code, stderr) == (0, "")
    assert "(the certificate given)" in stdout


def test_a_checkpoint_signed_by_another_certificate_than_the_published_one_fails(files, tmp_path):
    """Anyone can sign a checkpoint with a certificate of their own: pinning the signer shows it."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from dossiers.demo_certificate import self_signed_certificate

    trail, cp = files
    _key, impostor = self_signed_certificate("Hiệu trưởng (chứng thư thử nghiệm)")
    published = tmp_path / "other.pem"
    published.write_bytes(impostor.public_bytes(Encoding.PEM))

    code, _, stderr = verify(
        "--file", str(trail), "--checkpoint", str(cp), "--certificate", str(published)
    )

    assert code == 1
    assert "not by the certificate given" in stderr


def test_a_certificate_file_that_is_no_certificate_is_refused_with_the_reason(files, tmp_path):
    trail, cp = files
    garbage = tmp_path / "signer.pem"
    garbage.write_bytes(
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
    )

    code, _, stderr = verify(
        "--file", str(trail), "--checkpoint", str(cp), "--certificate", str(garbage)
    )

    assert code == 1
    assert "the certificate given is not a PEM or DER certificate" in stderr


def test_a_rewritten_export_fails_against_the_checkpoint(files):
    """Event 3 edited and every later hash recomputed: the chain verifies, the checkpoint not."""
    trail, cp = files
    events = [json.loads(line) for line in trail.read_text(encoding="utf-8").splitlines()]
    events[2]["reason"] = "đã sửa"
    prev = events[1]["hash"]
    for event in events[2:]:
        event["prev_hash"], event["hash"] = prev, hashchain.event_hash(prev, event)
        prev = event["hash"]
    trail.write_text("".join(hashchain.to_jsonl(e) for e in events), encoding="utf-8")

    code, _, stderr = verify("--file", str(trail), "--checkpoint", str(cp))

    assert code == 1
    assert "event 5 of the export has the hash" in stderr


def test_an_export_ending_before_the_checkpoint_fails(files):
    trail, cp = files
    lines = trail.read_text(encoding="utf-8").splitlines(keepends=True)
    trail.write_text("".join(lines[:4]), encoding="utf-8")

    code, _, stderr = verify("--file", str(trail), "--checkpoint", str(cp))

    assert code == 1
    assert "before the checkpoint's sequence 5" in stderr


def test_a_checkpoint_whose_hash_was_edited_fails_its_signature(files):
    trail, cp = files
    data = json.loads(cp.read_text(encoding="utf-8"))
    data["checkpoint"]["sequence"] = 4
    cp.write_text(json.dumps(data), encoding="utf-8")

    code, _, stderr = verify("--file", str(trail), "--checkpoint", str(cp))

    assert code == 1
    assert "signature does not match its content" in stderr


def test_a_checkpoint_with_an_extra_field_is_refused(files):
    trail, cp = files
    data = json.loads(cp.read_text(encoding="utf-8"))
    data["checkpoint"]["note"] = "x"
    cp.write_text(json.dumps(data), encoding="utf-8")

    code, _, stderr = verify("--file", str(trail), "--checkpoint", str(cp))

    assert code == 1
    assert "exactly the fields" in stderr


# The database chain against its checkpoints


def test_verify_audit_fails_when_the_trail_was_cut_back_before_a_checkpoint(
    institution, signed_at_five
):
    """An owner who deletes the newest events and rewinds the head is caught by the checkpoint."""
    from tests.test_audit_tampering import HEAD_TABLE, TABLE, disable_trigger, run_sql

    disable_trigger("workflow_audit_no_delete")
    disable_trigger("audit_head_forward_only", HEAD_TABLE)
    third = AuditEvent.objects.get(institution=institution, sequence=3)
    run_sql(f"DELETE FROM {TABLE} WHERE sequence > 3")  # noqa: S608
    run_sql(f"UPDATE {HEAD_TABLE} SET sequence = 3, hash = %s", [third.hash])  # noqa: S608

    code, _, stderr = verify()

    assert code == 1
    assert f"checkpoint {signed_at_five.pk} names the chain head" in stderr
    assert "ahead of the trail (the trail has 3 events)" in stderr


def test_verify_audit_fails_when_the_chain_was_rewritten_under_a_checkpoint(
    institution, signed_at_five
):
    """An owner who disables the triggers and rewrites the chain and head is caught."""
    from tests.test_audit_tampering import HEAD_TABLE, TABLE, disable_trigger, run_sql

    disable_trigger("workflow_audit_no_update")
    disable_trigger("audit_head_forward_only", HEAD_TABLE)
    rows = AuditEvent.objects.filter(institution=institution).order_by("sequence")
    prev = hashchain.GENESIS
    for event in rows:
        chain_event = event.as_chain_event(institution.code)
        if event.sequence == 3:
            chain_event["reason"] = "đã sửa"
        new = hashchain.event_hash(prev, chain_event)
        run_sql(f"UPDATE {TABLE} SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
                [chain_event["reason"], prev, new, event.pk])  # fmt: skip
        prev = new
    run_sql(f"UPDATE {HEAD_TABLE} SET hash = %s", [prev])  # noqa: S608
    assert AuditChainHead.objects.get().hash == prev

    code, _, stderr = verify()

    assert code == 1
    assert f"checkpoint {signed_at_five.pk} names the chain head" in stderr
