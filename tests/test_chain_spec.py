"""The README's chain format is precise enough: a verifier written from it alone agrees."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from audit import log

VERIFIER = Path(__file__).parent / "tools" / "chain_verifier.py"
# Text that exercises the rules: diacritics, quotes, backslashes, control characters, slashes,
# nested objects whose keys sort differently by code point than by locale, lists, null, booleans.
AWKWARD = [
    {"ghi chú": 'Đã sửa "tên" \\ C:/tệp\n\ttab\x01\x7f', "Zeta": 1, "alpha": [1, None, True]},
    {"b": {"ý": "ý", "y": "y", "Y": "Y", "é": False}, "a": [], "c": {}},
    {"số": 1234567890123, "âm": -5, "emoji": "🏅", "line_sep": "\u2028"},
]


def append(institution, payload, reason="Lý do"):
    with transaction.atomic():
        log.append(institution=institution, actor=log.SYSTEM, action="dossier.edited",
                   object_type="test", object_id=1, reason=reason, payload=payload)  # fmt: skip


@pytest.fixture
def export(institution, other_institution, tmp_path) -> Path:
    for payload in AWKWARD:
        append(institution, payload, reason='Trả lại: thiếu "bản khai"\r\n')
    append(other_institution, {"n": 1})
    path = tmp_path / "trail.jsonl"
    call_command("verify_audit", "--export", str(path), stdout=io.StringIO())
    return path


def independent(path: Path) -> subprocess.CompletedProcess:
    """The verifier in a fresh interpreter: no Django, no project on its path."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-I", str(VERIFIER), str(path)],
        cwd=path.parent, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def project_heads() -> dict[str, tuple[int, str]]:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    heads = {}
    for line in out.getvalue().splitlines():
        institution, rest = line.split(": ", 1)
        heads[institution] = (int(rest.split()[0]), rest.rsplit(" ", 1)[1])
    return heads


def test_the_verifier_imports_nothing_of_the_project():
    source = VERIFIER.read_text(encoding="utf-8")
    imported = {line.split()[1] for line in source.splitlines() if line.startswith("import ")}

    assert imported <= {"hashlib", "json", "sys"}
    assert not any(line.lstrip().startswith("from ") for line in source.splitlines())


def test_the_independent_verifier_agrees_with_verify_audit_on_an_intact_export(export):
    result = independent(export)

    assert result.returncode == 0, result.stdout + result.stderr
    found = {}
    for line in result.stdout.splitlines():
        institution, count, head = line.split()
        found[institution] = (int(count), head)
    assert found == project_heads()


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        (0, "reason", "Trả lại"),
        (1, "payload", {"b": {}}),
        (2, "created_at", "2020-01-01T00:00:00.000000Z"),
    ],
)
def test_the_independent_verifier_detects_a_tampered_export(export, line, field, value):
    lines = export.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[line])
    event[field] = value
    lines[line] = json.dumps(event, ensure_ascii=False)
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = independent(export)

    assert result.returncode == 1
    assert f"line {line + 1}" in result.stdout


def test_the_independent_verifier_refuses_an_extra_field_as_verify_audit_does(export):
    lines = export.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[0])
    event["extra"] = "x"
    lines[0] = json.dumps(event, ensure_ascii=False)
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert independent(export).returncode == 1
    with pytest.raises(SystemExit):
        call_command("verify_audit", "--file", str(export), stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip
