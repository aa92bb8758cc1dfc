"""`manage.py verify_audit`: check the chain in the database, export it, check an export offline."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from audit import log
from audit.models import AuditChainHead

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"


def append_events(institution, count: int) -> None:
    for n in range(1, count + 1):
        with transaction.atomic():
            log.append(
                institution=institution,
                actor=log.SYSTEM,
                action="dossier.edited",
                object_type="test",
                object_id=n,
                reason=f"Lý do {n}",
                payload={"n": n, "ghi chú": "có dấu"},
            )


@pytest.fixture
def five_events(institution):
    append_events(institution, 5)


def verify(*args) -> tuple[int, str, str]:
    """Run the command; its exit code, stdout and stderr (a CommandError propagates)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
    else:
        code = 0
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def export(five_events, tmp_path) -> Path:
    path = tmp_path / "trail.jsonl"
    code, _, _ = verify("--export", str(path))
    assert code == 0
    return path


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_lines(path: Path, events: list[dict]) -> None:
    path.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
    )


def offline_check(path: Path) -> subprocess.CompletedProcess:
    """`python -m audit.hashchain FILE`, as an auditor runs it on a copy of the export."""
    python = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)
    return subprocess.run(  # noqa: S603
        [str(python), "-m", "audit.hashchain", str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# The chain in the database


def test_an_intact_chain_exits_normally_naming_institution_event_count_and_head_hash(
    institution, five_events
):
    head = AuditChainHead.objects.get(institution=institution)

    code, stdout, stderr = verify()

    assert code == 0
    assert institution.code in stdout
    assert "5 events" in stdout
    assert head.hash in stdout
    assert stderr == ""


def test_every_institution_is_verified_by_default(institution, other_institution, five_events):
    append_events(other_institution, 2)

    code, stdout, _ = verify()

    assert code == 0
    assert f"{institution.code}: 5 events" in stdout
    assert f"{other_institution.code}: 2 events" in stdout


def test_institution_option_verifies_only_that_institution(
    institution, other_institution, five_events
):
    append_events(other_institution, 2)

    code, stdout, _ = verify("--institution", other_institution.code)

    assert code == 0
    assert other_institution.code in stdout
    assert institution.code not in stdout


def test_an_unknown_institution_code_is_refused(five_events):
    with pytest.raises(CommandError, match="no-such-college"):
        verify("--institution", "no-such-college")


# Export


def test_export_writes_one_json_line_per_event_with_its_hashes(institution, export):
    events = read_lines(export)

    assert [e["sequence"] for e in events] == [1, 2, 3, 4, 5]
    assert {e["institution"] for e in events} == {institution.code}
    assert events[0]["prev_hash"] == "0" * 64
    assert [e["prev_hash"] for e in events[1:]] == [e["hash"] for e in events[:-1]]
    assert events[-1]["hash"] == AuditChainHead.objects.get(institution=institution).hash


def test_export_keeps_vietnamese_text_readable(export):
    text = export.read_text(encoding="utf-8")

    assert "Lý do 1" in text
    assert "ghi chú" in text


def test_export_reports_how_many_events_it_wrote(five_events, tmp_path):
    path = tmp_path / "trail.jsonl"

    _, stdout, _ = verify("--export", str(path))

    assert f"Exported 5 events to {path}" in stdout


# Verifying an export


def test_an_intact_export_verifies_without_touching_the_database(
    institution, export, django_assert_num_queries
):
    with django_assert_num_queries(0):
        code, stdout, stderr = verify("--file", str(export))

    assert code == 0
    assert f"{institution.code}: 5 events verified" in stdout
    assert stderr == ""


def test_an_intact_export_verifies_offline_with_the_standalone_checker(institution, export):
    result = offline_check(export)

    assert result.returncode == 0, result.stderr
    assert f"{institution.code}: 5 events verified" in result.stdout


def test_an_export_of_two_institutions_verifies_both(
    institution, other_institution, five_events, tmp_path
):
    append_events(other_institution, 3)
    path = tmp_path / "trail.jsonl"
    verify("--export", str(path))

    code, stdout, _ = verify("--file", str(path))

    assert code == 0
    assert f"{institution.code}: 5 events verified" in stdout
    assert f"{other_institution.code}: 3 events verified" in stdout


def test_an_export_with_an_edited_event_fails_naming_its_sequence(export):
    events = read_lines(export)
    events[2]["reason"] = "Đã sửa"
    write_lines(export, events)

    code, _, stderr = verify("--file", str(export))

    assert code == 1
    assert "sequence 3" in stderr


def test_an_edited_export_fails_the_standalone_checker_naming_the_sequence(export):
    events = read_lines(export)
    events[2]["payload"]["n"] = 33
    write_lines(export, events)

    result = offline_check(export)

    assert result.returncode == 1
    assert "sequence 3" in result.stdout + result.stderr


def test_an_export_with_a_removed_line_fails(export):
    events = read_lines(export)
    del events[1]
    write_lines(export, events)

    code, _, stderr = verify("--file", str(export))

    assert code == 1
    assert "BROKEN at sequence 3: expected sequence 2" in stderr


def test_an_export_with_reordered_lines_fails(export):
    events = read_lines(export)
    events[1], events[2] = events[2], events[1]
    write_lines(export, events)

    code, _, stderr = verify("--file", str(export))

    assert code == 1
    assert "BROKEN at sequence 3" in stderr


def test_a_file_that_is_not_json_fails_with_a_clear_message(tmp_path, db):
    path = tmp_path / "notes.jsonl"
    path.write_text("this is not an audit export\n", encoding="utf-8")

    code, _, stderr = verify("--file", str(path))

    assert code == 1
    assert "not an audit export" in stderr
    assert "line 1 is not JSON" in stderr


def test_json_lines_that_lack_event_fields_fail_with_a_clear_message(tmp_path, db):
    path = tmp_path / "other.jsonl"
    path.write_text('{"sequence": 1}\n', encoding="utf-8")

    code, _, stderr = verify("--file", str(path))

    assert code == 1
    assert "line 1 lacks" in stderr


def test_an_empty_file_fails_because_it_holds_no_events(tmp_path, db):
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")

    code, _, stderr = verify("--file", str(path))

    assert code == 1
    assert "holds no audit events" in stderr


def test_a_missing_file_is_a_command_error(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        verify("--file", str(tmp_path / "missing.jsonl"))


def test_the_standalone_checker_reports_a_missing_file_without_a_traceback(tmp_path):
    result = offline_check(tmp_path / "missing.jsonl")

    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def test_export_and_file_together_are_refused(tmp_path, db):
    with pytest.raises(CommandError, match="either --export or --file"):
        verify("--export", str(tmp_path / "a.jsonl"), "--file", str(tmp_path / "b.jsonl"))

    assert not (tmp_path / "a.jsonl").exists()


def test_an_export_carrying_an_extra_unhashed_field_fails_naming_it(export):
    """The issue: a field outside the hash rode through verification unnoticed."""
    events = read_lines(export)
    events[2]["approved_by"] = "Hiệu trưởng"
    write_lines(export, events)

    code, _, stderr = verify("--file", str(export))

    assert code == 1
    assert "line 3 has fields that are not hashed: approved_by" in stderr


def test_the_standalone_checker_refuses_an_extra_unhashed_field(export):
    events = read_lines(export)
    events[0]["note"] = "x"
    write_lines(export, events)

    result = offline_check(export)

    assert result.returncode == 1
    assert "note" in result.stderr
