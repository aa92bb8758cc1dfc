"""Exports of the filtered trail (issue 8, item 5): CSV for Excel, JSON Lines verifiable offline,
a PDF report; each export audited, for auditors and the principal only, of their institution only,
and streamed so memory stays flat however long the trail."""

from __future__ import annotations

import csv
import datetime
import io
import json
import tracemalloc
import unicodedata
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from audit import hashchain, log
from audit.models import AuditChainHead, AuditEvent
from auditing import exports
from dossiers.models import Role
from tests.conftest import make_person, make_unit
from tests.factories import login
from tests.test_verify_audit_command import offline_check, verify

FORMATS = ("csv", "jsonl", "pdf")


def url(export_format: str, **query) -> str:
    from urllib.parse import urlencode

    base = reverse(f"audit_export_{export_format}")
    return f"{base}?{urlencode(query)}" if query else base


def body(response) -> bytes:
    """The whole body of a response, streamed or not."""
    if response.streaming:
        # The test client closes the response once its content is read, as a WSGI server does.
        return b"".join(response.streaming_content)
    return response.content


def record(institution, action="dossier.edited", *, person=None, reason="", payload=None, n=1):
    """n events through the real append, each in its own transaction."""
    actor = log.Actor(person=person, role="unit_head") if person else log.SYSTEM
    for _ in range(n):
        with transaction.atomic():
            log.append(institution=institution, actor=actor, action=action, object_type="test",
                         object_id=1, reason=reason, payload=payload)  # fmt: skip


def bulk_chain(institution, count: int, *, batch: int = 5000) -> None:
    """Append `count` correctly chained events fast: bulk inserts, hashes computed here."""
    with transaction.atomic():
        head = log.locked_head(institution)
        sequence, prev = head.sequence, head.hash
        start = timezone.now()
        for first in range(0, count, batch):
            rows = []
            for _ in range(min(batch, count - first)):
                sequence += 1
                event = AuditEvent(
                    institution=institution, sequence=sequence,
                    created_at=start + datetime.timedelta(milliseconds=sequence),
                    actor_name="Nguyễn Thị Hương", role="unit_head", action="test.bulk",
                    object_type="test", object_id=str(sequence),
                    reason=f"Lý do số {sequence}: hồ sơ đầy đủ", payload={"n": sequence},
                    client_address="10.0.0.1", prev_hash=prev,
                )  # fmt: skip
                event.hash = hashchain.event_hash(prev, event.as_chain_event(institution.code))
                prev = event.hash
                rows.append(event)
            AuditEvent.objects.bulk_create(rows)
        head.sequence, head.hash = sequence, prev
        head.save(update_fields=["sequence", "hash"])


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))


def jsonl_file(response, tmp_path: Path, name="trail.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(body(response))
    return path


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_lines(path: Path, events: list[dict]) -> None:
    path.write_text("".join(hashchain.to_jsonl(e) for e in events), encoding="utf-8")


def pdf_text(pdf: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def exported_events(institution):
    return AuditEvent.objects.filter(institution=institution, action=exports.EXPORTED)


@pytest.fixture
def five(institution, head_a):
    """Five events: three submissions with Vietnamese reasons, two returns."""
    record(institution, "dossier.submitted", person=head_a, reason="Nộp hồ sơ đúng hạn", n=3,
           payload={"ghi chú": "có dấu"})  # fmt: skip
    record(institution, "dossier.returned", person=head_a, reason="Thiếu bản nhận xét", n=2)


# CSV


def test_the_csv_starts_with_the_utf8_byte_order_mark(five, auditor):
    data = body(login(auditor).get(url("csv")))

    assert data.startswith(b"\xef\xbb\xbf")


def test_the_csv_has_the_header_and_one_row_per_event(five, auditor):
    rows = csv_rows(login(auditor).get(url("csv")))

    assert rows[0] == exports.csv_header()
    assert len(rows[0]) == 15
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5"]


def test_the_csv_keeps_vietnamese_diacritics(five, auditor, head_a):
    rows = csv_rows(login(auditor).get(url("csv")))

    assert rows[1][10] == "Nộp hồ sơ đúng hạn"
    assert rows[5][10] == "Thiếu bản nhận xét"
    assert rows[1][2] == head_a.full_name
    assert json.loads(rows[1][11]) == {"ghi chú": "có dấu"}


def test_the_csv_ends_its_lines_with_crlf_as_excel_expects(five, auditor):
    data = body(login(auditor).get(url("csv")))

    assert data.count(b"\r\n") == 6
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_the_csv_applies_the_filter(five, auditor):
    rows = csv_rows(login(auditor).get(url("csv", action="dossier.returned")))

    returned = "Trả lại để bổ sung"  # the action's title, as the auditor reads it
    assert [(row[0], row[5]) for row in rows[1:]] == [("4", returned), ("5", returned)]


def test_the_csv_gives_times_in_ho_chi_minh_time_as_iso(five, auditor):
    rows = csv_rows(login(auditor).get(url("csv")))

    moment = datetime.datetime.fromisoformat(rows[1][1])
    assert moment.utcoffset() == datetime.timedelta(hours=7)
    assert moment == AuditEvent.objects.get(sequence=1).created_at


def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(institution, auditor):
    record(institution, reason='=HYPERLINK("http://evil.example","bấm")')

    rows = csv_rows(login(auditor).get(url("csv")))

    assert rows[1][10] == '\'=HYPERLINK("http://evil.example","bấm")'


def test_the_csv_is_an_attachment_named_with_the_date(five, auditor, institution):
    response = login(auditor).get(url("csv"))
    body(response)

    today = timezone.localdate().isoformat()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"nhat-ky-{institution.code}-{today}" in disposition
    assert disposition.endswith('.csv"')
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_exports_stream_rather_than_build_the_whole_file(five, auditor):
    response = login(auditor).get(url("csv"))

    assert response.streaming
    body(response)


# JSON Lines


def test_a_full_jsonl_export_verifies_with_verify_audit(five, auditor, institution, tmp_path):
    path = jsonl_file(login(auditor).get(url("jsonl")), tmp_path)

    code, stdout, stderr = verify("--file", str(path))

    assert code == 0, stderr
    head = AuditEvent.objects.get(institution=institution, sequence=5).hash
    assert f"{institution.code}: 5 events verified, head {head}" in stdout


def test_a_full_jsonl_export_verifies_with_the_standalone_checker(
    five, auditor, institution, tmp_path
):
    path = jsonl_file(login(auditor).get(url("jsonl")), tmp_path)

    result = offline_check(path)

    assert result.returncode == 0, result.stderr
    assert f"{institution.code}: 5 events verified" in result.stdout


def test_a_jsonl_export_has_one_canonical_event_per_line(five, auditor, institution, tmp_path):
    path = jsonl_file(login(auditor).get(url("jsonl")), tmp_path)

    expected = [
        hashchain.to_jsonl(e.as_chain_event(institution.code))
        for e in AuditEvent.objects.filter(institution=institution, sequence__lte=5)
    ]
    assert path.read_text(encoding="utf-8") == "".join(expected)


def test_an_edited_line_of_a_jsonl_export_fails_verification(five, auditor, tmp_path):
    path = jsonl_file(login(auditor).get(url("jsonl")), tmp_path)
    events = read_lines(path)
    events[3]["reason"] = "Đã sửa"
    write_lines(path, events)

    code, _, stderr = verify("--file", str(path))

    assert code == 1
    assert "BROKEN at sequence 4: its content does not match its hash" in stderr


def test_a_filtered_jsonl_export_verifies_with_partial(five, auditor, institution, tmp_path):
    record(institution, "dossier.submitted", reason="Nộp lại")  # sequence 6, after a gap
    path = jsonl_file(login(auditor).get(url("jsonl", action="dossier.submitted")), tmp_path)

    code, stdout, stderr = verify("--file", str(path), "--partial")

    assert code == 0, stderr
    assert [e["sequence"] for e in read_lines(path)] == [1, 2, 3, 6]
    assert f"{institution.code}: 4 events verified as a partial export" in stdout
    assert "sequences 1–6, 1 gaps" in stdout


def test_a_filtered_jsonl_export_fails_without_partial_naming_the_gap(five, auditor, tmp_path):
    path = jsonl_file(login(auditor).get(url("jsonl", action="dossier.returned")), tmp_path)

    code, _, stderr = verify("--file", str(path))

    assert code == 1
    assert "BROKEN at sequence 4: expected sequence 1, found 4 (sequences 1–3 are missing)" in (
        stderr
    )


def test_the_standalone_checker_verifies_a_filtered_export_with_partial(
    five, auditor, institution, tmp_path
):
    path = jsonl_file(login(auditor).get(url("jsonl", action="dossier.returned")), tmp_path)

    without = offline_check(path)
    result = offline_check_partial(path)

    assert without.returncode == 1
    assert result.returncode == 0, result.stderr
    assert f"{institution.code}: 2 events verified as a partial export" in result.stdout


def offline_check_partial(path: Path):
    import subprocess
    import sys

    from tests.test_verify_audit_command import REPO_ROOT, VENV_PYTHON

    python = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)
    return subprocess.run(  # noqa: S603
        [str(python), "-m", "audit.hashchain", "--partial", str(path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_an_edited_line_of_a_filtered_export_fails_partial_verification(five, auditor, tmp_path):
    path = jsonl_file(login(auditor).get(url("jsonl", action="dossier.returned")), tmp_path)
    events = read_lines(path)
    events[1]["actor"] = "Người khác"
    write_lines(path, events)

    code, _, stderr = verify("--file", str(path), "--partial")

    assert code == 1
    assert "BROKEN at sequence 5: its content does not match its hash" in stderr


def test_partial_verification_checks_the_link_between_consecutive_events(five, auditor, tmp_path):
    """A rehashed event that no longer links to the one before it in the chain is caught."""
    path = jsonl_file(login(auditor).get(url("jsonl", action="dossier.returned")), tmp_path)
    events = read_lines(path)
    forged = {**events[1], "prev_hash": "f" * 64, "reason": "Giả mạo"}
    forged["hash"] = hashchain.event_hash(forged["prev_hash"], forged)
    write_lines(path, [events[0], forged])

    code, _, stderr = verify("--file", str(path), "--partial")

    assert code == 1
    assert "BROKEN at sequence 5: its previous hash does not match the event before it" in stderr


def test_partial_verification_refuses_events_out_of_order(five, auditor, tmp_path):
    path = jsonl_file(login(auditor).get(url("jsonl", action="dossier.submitted")), tmp_path)
    events = read_lines(path)
    write_lines(path, [events[0], events[2], events[1]])

    code, _, stderr = verify("--file", str(path), "--partial")

    assert code == 1
    assert "BROKEN at sequence 2: it follows sequence 3" in stderr


def test_partial_is_refused_without_a_file(db):
    with pytest.raises(CommandError, match="--partial applies to an export given with --file"):
        verify("--partial")


def test_an_export_covers_the_trail_up_to_the_head_when_it_started(
    five, auditor, institution, tmp_path
):
    path = jsonl_file(login(auditor).get(url("jsonl")), tmp_path)

    assert [e["sequence"] for e in read_lines(path)] == [1, 2, 3, 4, 5]
    assert exported_events(institution).get().sequence == 6  # recorded, not exported by itself


# PDF


def test_the_pdf_report_shows_the_chain_head_hash_and_the_event_count(five, auditor, institution):
    head = AuditChainHead.objects.get(institution=institution)
    response = login(auditor).get(url("pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert head.hash in text
    assert response["X-Audit-Head-Hash"] == head.hash
    assert response["X-Audit-Event-Count"] == "5"


def test_the_pdf_report_shows_the_filter_and_only_matching_events(five, auditor):
    response = login(auditor).get(url("pdf", action="dossier.returned", text="nhận xét"))

    text = pdf_text(response.content)
    assert "Trả lại để bổ sung" in text  # the action's title, never its code
    assert "dossier.returned" not in text
    assert "nhận xét" in text
    assert "Thiếu bản nhận xét" in text
    assert "Nộp hồ sơ đúng hạn" not in text


@override_settings(AUDIT_PDF_EXPORT_LIMIT=4)
def test_a_pdf_over_the_limit_is_refused_with_a_clear_message(five, auditor, institution):
    response = login(auditor).get(url("pdf"))

    assert response.status_code == 400
    message = response.content.decode()
    assert "5" in message and "4" in message
    assert "CSV" in message and "JSON Lines" in message
    assert not exported_events(institution).exists()


@override_settings(AUDIT_PDF_EXPORT_LIMIT=4)
def test_a_narrower_filter_fits_under_the_pdf_limit(five, auditor):
    response = login(auditor).get(url("pdf", action="dossier.submitted"))

    assert response.status_code == 200


# Each export is audited


@pytest.mark.parametrize("export_format", FORMATS)
def test_each_export_writes_one_audit_exported_event(five, auditor, institution, export_format):
    body(login(auditor).get(url(export_format, action="dossier.returned", date_from="2020-01-01")))

    event = exported_events(institution).get()
    assert event.actor == auditor
    assert event.role == Role.AUDITOR
    assert event.payload["format"] == export_format
    assert event.payload["filter"] == {"action": "dossier.returned", "date_from": "2020-01-01"}
    assert event.payload["count"] == 2
    assert event.payload["through_sequence"] == 5


def test_the_export_event_keeps_the_chain_intact(five, auditor, institution):
    body(login(auditor).get(url("csv")))

    assert log.verify_institution(institution).intact


# Who may export, and what


@pytest.mark.parametrize("export_format", FORMATS)
def test_a_person_who_is_neither_auditor_nor_principal_gets_404(
    five, reviewer, institution, export_format
):
    response = login(reviewer).get(url(export_format))

    assert response.status_code == 404
    assert not exported_events(institution).exists()


def test_the_principal_may_export(five, principal, institution):
    response = login(principal).get(url("csv"))

    assert response.status_code == 200
    body(response)
    assert exported_events(institution).get().role == Role.PRINCIPAL


def test_an_anonymous_visitor_is_sent_to_log_in(five):
    response = Client().get(url("jsonl"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_auditor_of_another_institution_exports_only_that_institutions_trail(
    five, other_institution, tmp_path
):
    outsider = make_person(other_institution, make_unit(other_institution), roles=[Role.AUDITOR])
    record(other_institution, reason="Sự kiện của trường khác")

    path = jsonl_file(login(outsider).get(url("jsonl")), tmp_path)

    assert [(e["institution"], e["reason"]) for e in read_lines(path)] == [
        (other_institution.code, "Sự kiện của trường khác")
    ]


def test_another_institutions_events_never_appear(five, auditor, other_institution, tmp_path):
    record(other_institution, "dossier.returned", reason="Bí mật của trường khác", n=3)

    csv_data = body(login(auditor).get(url("csv"))).decode("utf-8-sig")
    jsonl = jsonl_file(login(auditor).get(url("jsonl", action="dossier.returned")), tmp_path)
    pdf = pdf_text(login(auditor).get(url("pdf")).content)

    assert "Bí mật" not in csv_data
    assert {e["institution"] for e in read_lines(jsonl)} == {auditor.institution.code}
    assert "Bí mật" not in pdf


def test_a_filter_naming_another_institutions_person_finds_nothing(
    five, auditor, other_institution
):
    stranger = make_person(other_institution, make_unit(other_institution))
    record(other_institution, person=stranger, reason="Bí mật")

    rows = csv_rows(login(auditor).get(url("csv", actor_id=stranger.pk)))

    assert rows[1:] == []


def test_an_invalid_filter_is_refused_with_400(five, auditor, institution):
    response = login(auditor).get(url("csv", date_from="not-a-date"))

    assert response.status_code == 400
    assert "date_from" in response.content.decode()
    assert not exported_events(institution).exists()


# Memory


def traced_peak(client: Client, address: str) -> int:
    """Peak Python memory (bytes) while one export is requested and read to the end."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        for _chunk in client.get(address).streaming_content:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("export_format", ["csv", "jsonl"])
def test_export_memory_stays_flat_from_2000_to_20000_events(institution, auditor, export_format):
    client = login(auditor)
    bulk_chain(institution, 2000)
    body(client.get(url(export_format)))  # warm up: imports, templates, translations

    small = traced_peak(client, url(export_format))
    bulk_chain(institution, 18000)
    large = traced_peak(client, url(export_format))

    print(f"{export_format}: peak traced memory {small:,} B at 2,000 events, {large:,} B at 20,000")
    assert large < 3 * small


def test_an_export_filtered_by_a_persons_name_holds_that_persons_events_only(
    five, auditor, institution, unit_a
):
    other = make_person(institution, unit_a, full_name="Lý Thị Khác")
    record(institution, "dossier.submitted", person=other, reason="Của người khác")

    rows = csv_rows(login(auditor).get(url("csv", person="thị khác")))

    assert len(rows[1:]) == 1
    assert "Của người khác" in rows[1]
