"""A signing that dies leaves no signed PDF of no decision: temporary name until commit, sweep.

Signing writes the PDF under decisions/.pending/ and renames it on commit; `sweep_orphans`
removes old temporary files (or finishes the rename of a signing that did commit) and signed
files no decision refers to.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from audit import log
from decisions import files
from decisions.models import Decision
from decisions.services import SigningError, sign_decision
from tests.factories import sign_committed

pytest_plugins = ["tests.signing_fixtures"]


def stored(media: Path, folder: str) -> list[str]:
    root = media / folder
    return sorted(p.name for p in root.rglob("*.pdf")) if root.exists() else []


def signed_files(media: Path) -> list[str]:
    """PDFs under their final names (decisions/<year>/), the temporary folder aside."""
    return sorted(
        p.name for p in (media / "decisions").rglob("*.pdf") if ".pending" not in p.parts
    ) if (media / "decisions").exists() else []  # fmt: skip


def sweep(settings, minutes=0) -> str:
    settings.SIGNING_LEFTOVER_MINUTES = minutes
    out = io.StringIO()
    call_command("sweep_orphans", stdout=out)
    return out.getvalue()


def test_a_signing_killed_before_its_commit_leaves_no_signed_file_and_the_sweep_clears_it(
    pkcs12_signing, draft_decision, principal, settings
):
    decision = draft_decision()

    with pytest.raises(RuntimeError), transaction.atomic():
        sign_decision(decision_id=decision.pk, person=principal)
        raise RuntimeError("the server was killed before the commit")

    assert signed_files(settings.MEDIA_ROOT) == []
    assert len(stored(settings.MEDIA_ROOT, files.PENDING_DIR)) == 1
    assert "1 temporary files removed" in sweep(settings)
    assert stored(settings.MEDIA_ROOT, "decisions") == []


def test_a_signing_whose_audit_append_fails_leaves_no_file_at_all(
    pkcs12_signing, draft_decision, principal, settings, monkeypatch
):
    decision = draft_decision()
    append = log.append

    def refuse_the_signing_event(**event):
        if event["action"] == "decision.signed":
            raise OSError("disk full")
        return append(**event)

    monkeypatch.setattr(log, "append", refuse_the_signing_event)

    with pytest.raises(SigningError):
        sign_decision(decision_id=decision.pk, person=principal)

    assert stored(settings.MEDIA_ROOT, "decisions") == []
    decision.refresh_from_db()
    assert (decision.state, decision.pdf.name) == (Decision.State.DRAFT, "")


def test_a_committed_signing_gives_the_pdf_its_final_name_and_leaves_no_temporary_file(
    pkcs12_signing, draft_decision, principal, settings
):
    signed = sign_committed(decision_id=draft_decision().pk, person=principal)

    assert Path(signed.pdf.path).is_file()
    assert stored(settings.MEDIA_ROOT, files.PENDING_DIR) == []


def test_the_sweep_leaves_a_recent_temporary_file_alone(
    pkcs12_signing, draft_decision, principal, settings
):
    with pytest.raises(RuntimeError), transaction.atomic():
        sign_decision(decision_id=draft_decision().pk, person=principal)
        raise RuntimeError("still signing, as far as the sweep can tell")

    sweep(settings, minutes=30)

    assert len(stored(settings.MEDIA_ROOT, files.PENDING_DIR)) == 1


def test_the_sweep_finishes_the_rename_of_a_signing_that_committed(
    pkcs12_signing, draft_decision, principal, settings, pdf_tools
):
    # The commit happened (the test's transaction sees it) but the rename after it never ran.
    signed = sign_decision(decision_id=draft_decision().pk, person=principal)
    assert not Path(signed.pdf.path).exists()

    assert "1 renamed" in sweep(settings)

    assert pdf_tools.sha256(Path(signed.pdf.path).read_bytes()) == signed.pdf_sha256
    assert stored(settings.MEDIA_ROOT, files.PENDING_DIR) == []


def test_the_sweep_removes_a_signed_file_no_decision_refers_to_and_keeps_the_issued_one(
    pkcs12_signing, draft_decision, principal, settings
):
    signed = sign_committed(decision_id=draft_decision().pk, person=principal)
    orphan = Path(signed.pdf.path).with_name("2026-099-0123456789ab.pdf")
    orphan.write_bytes(b"%PDF-1.7 signed, never issued")

    assert "1 signed files of no decision removed" in sweep(settings)

    assert not orphan.exists()
    assert Path(signed.pdf.path).is_file()


def test_signing_sweeps_old_temporary_files_first(
    pkcs12_signing, draft_decision, principal, settings
):
    with pytest.raises(RuntimeError), transaction.atomic():
        sign_decision(decision_id=draft_decision().pk, person=principal)
        raise RuntimeError("killed")
    settings.SIGNING_LEFTOVER_MINUTES = 0

    sign_committed(decision_id=draft_decision().pk, person=principal)

    assert stored(settings.MEDIA_ROOT, files.PENDING_DIR) == []
