"""Awards decided above the college: the proposal memo sent with the dossiers, the higher
authority's decision recorded by a reviewer, and the pages' wiring and permissions."""

from __future__ import annotations

import datetime
import hashlib
import io
import unicodedata

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from decisions import upward
from decisions.models import ProposalMemo
from dossiers.models import Dossier, Role, State, TitleRecord
from tests.conftest import make_person
from tests.factories import dossier_in, login
from workflow.errors import DomainError, GuardFailed, NotPermitted

UPWARD_AWARD = "provincial_certificate_of_merit"
DECIDED = datetime.date(2026, 11, 20)


def proposed(period, unit, name=None, award=UPWARD_AWARD, state=State.RECOMMENDED) -> Dossier:
    nominee = make_person(period.institution, unit, full_name=name) if name else None
    return dossier_in(state, period, unit, award=award, nominee=nominee)


def awarded(dossier):
    """The nominee's title records of the dossier's award (besides the earlier titles it needed)."""
    return TitleRecord.objects.filter(person=dossier.nominee_person, award_type=dossier.award_type)


def fresh(dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def pdf_text(data: bytes) -> str:
    """The text of every page, with table cells' line breaks folded into single spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def memo_bytes(memo) -> bytes:
    with memo.pdf.open("rb") as file:
        return file.read()


def stored_memo_files() -> list:
    folder = settings.MEDIA_ROOT / "proposal_memos"
    return sorted(folder.rglob("*.pdf")) if folder.exists() else []


def outcome(dossier, reviewer, **changes) -> Dossier:
    arguments = {"granted": True, "decision_number": "125/QĐ-UBND", "decision_date": DECIDED}
    return upward.record_outcome(dossier_id=dossier.pk, person=reviewer, **{**arguments, **changes})


# The proposal memo


def test_submitting_upward_generates_a_memo_listing_the_nominees(period, unit_a, principal):
    dossiers = [
        proposed(period, unit_a, "Nguyễn Thị Hương"),
        proposed(period, unit_a, "Trần Văn Bình"),
    ]

    memo = upward.submit_upward(dossier_ids=[d.pk for d in dossiers], person=principal)

    data = memo_bytes(memo)
    text = pdf_text(data)
    assert "TỜ TRÌNH" in text
    assert "Nguyễn Thị Hương" in text
    assert "Trần Văn Bình" in text
    assert "Khoa Toán" in text
    assert "Bằng khen" in text
    assert memo.sha256 == hashlib.sha256(data).hexdigest()
    assert set(memo.dossiers.values_list("pk", flat=True)) == {d.pk for d in dossiers}
    assert memo.created_by_id == principal.pk


def test_the_memo_follows_the_decree_layout(period, unit_a, principal):
    memo = upward.submit_upward(
        dossier_ids=[proposed(period, unit_a, "Phạm Thị Lan").pk], person=principal,
        today=datetime.date(2026, 2, 3),
    )  # fmt: skip

    text = pdf_text(memo_bytes(memo))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "ngày 03 tháng 02 năm 2026" in text
    assert "Về việc đề nghị" in text
    assert "/TTr-CĐTN" in text
    assert "Nơi nhận:" in text
    assert "HIỆU TRƯỞNG" in text
    assert principal.full_name in text


def test_submitting_upward_moves_each_dossier_with_the_memo_hash_in_its_audit_event(
    period, unit_a, principal
):
    dossiers = [proposed(period, unit_a), proposed(period, unit_a)]

    memo = upward.submit_upward(dossier_ids=[d.pk for d in dossiers], person=principal)

    assert {fresh(d).state for d in dossiers} == {State.SUBMITTED_UPWARD}
    events = AuditEvent.objects.filter(action="dossier.submitted_upward")
    assert sorted(int(e.object_id) for e in events) == sorted(d.pk for d in dossiers)
    assert {e.payload["memo_sha256"] for e in events} == {memo.sha256}
    assert {e.role for e in events} == {Role.PRINCIPAL}


def test_a_principal_decided_award_is_refused_and_nothing_is_kept(period, unit_a, principal):
    upward_dossier = proposed(period, unit_a)
    principal_dossier = proposed(period, unit_a, award="advanced_worker")
    files_before = stored_memo_files()

    with pytest.raises(DomainError) as refusal:
        upward.submit_upward(
            dossier_ids=[upward_dossier.pk, principal_dossier.pk], person=principal
        )

    assert refusal.value.http_status == 422
    assert "decided by the principal" in str(refusal.value)
    assert fresh(upward_dossier).state == State.RECOMMENDED
    assert fresh(principal_dossier).state == State.RECOMMENDED
    assert not ProposalMemo.objects.exists()
    assert stored_memo_files() == files_before
    assert not AuditEvent.objects.filter(action__in=["dossier.submitted_upward",
                                                     "proposal_memo.created"]).exists()  # fmt: skip


@pytest.mark.parametrize("who", ["reviewer", "secretary", "head_a", "staff_a", "auditor"])
def test_only_the_principal_may_submit_upward(request, period, unit_a, who):
    dossier = proposed(period, unit_a)

    with pytest.raises(NotPermitted):
        upward.submit_upward(dossier_ids=[dossier.pk], person=request.getfixturevalue(who))

    assert fresh(dossier).state == State.RECOMMENDED
    assert not ProposalMemo.objects.exists()


def test_submitting_a_dossier_that_is_not_recommended_upward_is_refused(period, unit_a, principal):
    dossier = proposed(period, unit_a, state=State.VOTING)

    with pytest.raises(DomainError) as refusal:
        upward.submit_upward(dossier_ids=[dossier.pk], person=principal)

    assert refusal.value.http_status == 409
    assert not ProposalMemo.objects.exists()


def test_submitting_nothing_upward_is_refused(principal):
    with pytest.raises(GuardFailed):
        upward.submit_upward(dossier_ids=[], person=principal)


# The higher authority's decision


def test_a_granted_outcome_signs_the_dossier_and_records_the_title(
    period, unit_a, principal, reviewer
):
    dossier = proposed(period, unit_a)
    upward.submit_upward(dossier_ids=[dossier.pk], person=principal)

    moved = outcome(dossier, reviewer, decision_number=" 125/QĐ-UBND ")

    assert moved.state == State.SIGNED
    title = TitleRecord.objects.get(person=dossier.nominee_person, year=2026)
    assert title.award_type_id == dossier.award_type_id
    assert title.year == 2026
    assert title.source == TitleRecord.Source.GRANTED
    assert title.decision_reference == "125/QĐ-UBND"


def test_a_granted_outcome_replaces_an_imported_record_of_the_same_year(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)
    TitleRecord.objects.create(
        institution=period.institution, person=dossier.nominee_person,
        award_type=dossier.award_type, year=2026, source=TitleRecord.Source.IMPORTED,
    )  # fmt: skip

    outcome(dossier, reviewer)

    title = TitleRecord.objects.get(person=dossier.nominee_person, year=2026)
    assert (title.source, title.decision_reference) == (TitleRecord.Source.GRANTED, "125/QĐ-UBND")


def test_a_refused_outcome_leaves_the_dossier_not_recommended_without_a_title(
    period, unit_a, reviewer
):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    moved = outcome(dossier, reviewer, granted=False)

    assert moved.state == State.NOT_RECOMMENDED
    assert not awarded(dossier).exists()


def test_recording_the_outcome_is_audited_with_the_higher_decision(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    outcome(dossier, reviewer)

    event = AuditEvent.objects.get(action="dossier.outcome_recorded")
    assert event.role == Role.REVIEWER
    assert event.payload == {"granted": True, "decision_number": "125/QĐ-UBND",
                             "decision_date": "2026-11-20"}  # fmt: skip


@pytest.mark.parametrize(
    "missing", [{"decision_number": ""}, {"decision_number": "   "}, {"decision_date": None}]
)
def test_an_outcome_without_the_decisions_number_or_date_is_refused(
    period, unit_a, reviewer, missing
):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    with pytest.raises(GuardFailed):
        outcome(dossier, reviewer, **missing)

    assert fresh(dossier).state == State.SUBMITTED_UPWARD
    assert not awarded(dossier).exists()


def test_an_outcome_dated_after_today_is_refused(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    with pytest.raises(GuardFailed):
        upward.record_outcome(
            dossier_id=dossier.pk, person=reviewer, granted=True, decision_number="1/QĐ-UBND",
            decision_date=datetime.date(2026, 6, 2), today=datetime.date(2026, 6, 1),
        )  # fmt: skip

    assert fresh(dossier).state == State.SUBMITTED_UPWARD
    assert not awarded(dossier).exists()
    assert not AuditEvent.objects.filter(action="dossier.outcome_recorded").exists()


@pytest.mark.parametrize("who", ["principal", "secretary", "head_a", "auditor"])
def test_only_a_reviewer_records_the_outcome(request, period, unit_a, who):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    with pytest.raises(NotPermitted):
        outcome(dossier, request.getfixturevalue(who))

    assert fresh(dossier).state == State.SUBMITTED_UPWARD


def test_an_outcome_is_recorded_only_once(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)
    outcome(dossier, reviewer)

    with pytest.raises(DomainError) as refusal:
        outcome(dossier, reviewer, granted=False)

    assert refusal.value.http_status == 409
    assert fresh(dossier).state == State.SIGNED


# Pages


def test_the_principal_submits_upward_through_the_page(period, unit_a, principal):
    dossier = proposed(period, unit_a, "Vũ Thị Mai")
    client = login(principal)

    page = client.get(reverse("notice_upward"))
    response = client.post(reverse("notice_upward"), {"dossiers": [dossier.pk]})

    assert "Vũ Thị Mai" in page.content.decode()
    assert response.status_code == 302
    assert fresh(dossier).state == State.SUBMITTED_UPWARD
    memo = ProposalMemo.objects.get()
    assert (
        reverse("notice_memo_pdf", args=[memo.pk])
        in client.get(reverse("notice_upward")).content.decode()
    )


def test_submitting_an_unlisted_dossier_through_the_page_is_refused(period, unit_a, principal):
    dossier = proposed(period, unit_a)

    response = login(principal).post(reverse("notice_upward"), {"dossiers": [dossier.pk + 999]})

    assert response.status_code == 400
    assert fresh(dossier).state == State.RECOMMENDED


def test_readers_download_the_memo_and_plain_staff_do_not(
    period, unit_a, principal, reviewer, auditor, staff_a
):
    memo = upward.submit_upward(dossier_ids=[proposed(period, unit_a).pk], person=principal)
    url = reverse("notice_memo_pdf", args=[memo.pk])

    for reader in (principal, reviewer, auditor):
        response = login(reader).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(staff_a).get(url).status_code == 404


@pytest.mark.parametrize("who", ["staff_a", "head_a"])
def test_the_upward_page_is_refused_to_staff_who_do_not_work_with_decisions(
    request, period, unit_a, who
):
    assert login(request.getfixturevalue(who)).get(reverse("notice_upward")).status_code == 403


@pytest.mark.parametrize("who", ["reviewer", "secretary", "auditor"])
def test_only_the_principal_may_post_the_upward_form(request, period, unit_a, who):
    dossier = proposed(period, unit_a)
    client = login(request.getfixturevalue(who))

    page = client.get(reverse("notice_upward"))
    posting = client.post(reverse("notice_upward"), {"dossiers": [dossier.pk]})

    assert page.status_code == 200
    assert 'type="checkbox"' not in page.content.decode()
    assert posting.status_code == 403
    assert fresh(dossier).state == State.RECOMMENDED


def test_the_reviewer_records_the_outcome_through_the_page(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)
    client = login(reviewer)

    listing = client.get(reverse("notice_upward"))
    response = client.post(
        reverse("notice_outcome", args=[dossier.pk]),
        {"granted": "yes", "decision_number": "125/QĐ-UBND", "decision_date": "20/11/2026"},
    )

    assert reverse("notice_outcome", args=[dossier.pk]) in listing.content.decode()
    assert response.status_code == 302
    assert fresh(dossier).state == State.SIGNED
    event = AuditEvent.objects.get(action="dossier.outcome_recorded")
    assert event.payload["decision_date"] == "2026-11-20"


def test_the_outcome_form_wants_the_date_as_day_month_year(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    response = login(reviewer).post(
        reverse("notice_outcome", args=[dossier.pk]),
        {"granted": "no", "decision_number": "125/QĐ-UBND", "decision_date": "2026-11-20"},
    )

    assert response.status_code == 400
    assert fresh(dossier).state == State.SUBMITTED_UPWARD


def test_the_outcome_form_refuses_a_missing_decision_number(period, unit_a, reviewer):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    response = login(reviewer).post(
        reverse("notice_outcome", args=[dossier.pk]),
        {"granted": "yes", "decision_number": "", "decision_date": "20/11/2026"},
    )

    assert response.status_code == 400
    assert fresh(dossier).state == State.SUBMITTED_UPWARD


def test_the_outcome_form_is_refused_to_a_principal(period, unit_a, principal):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)
    client = login(principal)

    assert client.get(reverse("notice_outcome", args=[dossier.pk])).status_code == 403
    assert client.post(reverse("notice_outcome", args=[dossier.pk]),
                       {"granted": "yes", "decision_number": "1/QĐ-UBND",
                        "decision_date": "20/11/2026"}).status_code == 403  # fmt: skip
    assert fresh(dossier).state == State.SUBMITTED_UPWARD


def test_the_outcome_form_is_not_found_for_a_dossier_not_submitted_upward(period, unit_a, reviewer):
    dossier = proposed(period, unit_a)

    assert login(reviewer).get(reverse("notice_outcome", args=[dossier.pk])).status_code == 404


def test_the_outcome_form_is_not_found_for_a_unit_head_of_another_unit(period, unit_a, head_b):
    dossier = proposed(period, unit_a, state=State.SUBMITTED_UPWARD)

    assert login(head_b).get(reverse("notice_outcome", args=[dossier.pk])).status_code == 404
