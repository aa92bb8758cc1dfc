"""Every document a Vietnamese office files, rendered through the product's own code path, passes
the team's Nghị định 30 layout checker (tests/tools/check_nd30.py; issue 16).

The checker was written for decisions. Its layout checks (A4, margins, embedded fonts, one serif
family, page numbers with `--pages`) apply to every administrative document; its closing checks
name a decision's own parts (a "Số: …/QĐ-…" number, the title "QUYẾT ĐỊNH", recitals, the
formula "QUYẾT ĐỊNH:", "Điều 1.", "Nơi nhận", the head's signature) and it has no option to leave
them out. So a memo, minutes or a cover sheet must pass every check but those naming a part
the law does not give its kind (NOT_IN_A_MEMO, …), told apart by the checker's printed lines.

Not checked: the auditor's export report (templates/auditing/export_report.html) is the
product's listing of its own audit trail for an inspector, not an administrative document the
institution issues, so Nghị định 30 does not govern its layout.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from council import services as council
from decisions import services, upward
from dossiers import services as dossier_services
from dossiers.models import AwardType, State
from evaluation import services as evaluation
from evaluation.models import UnitMeeting
from tests.conftest import make_person, pdf_upload
from tests.factories import dossier_in, login, sign_committed
from tests.test_council_pages import items_of
from tests.test_decision_rendering import awardee_name, check_nd30, page_count
from tests.test_unit_meeting import details

pytest_plugins = ["tests.signing_fixtures"]

# The checks naming a decision's own parts, as the checker prints them, that a kind of document
# does not have by law. A memo is numbered in its own series (TTr-…) when it is issued, and
# proposes rather than decides: no "QUYẾT ĐỊNH" title, formula or articles. Minutes record a
# meeting: no recitals, recipients or the head's signature either (the chair and the secretary
# sign them).
NOT_IN_A_MEMO = ("number line", "title QUYẾT ĐỊNH", "operative formula", "articles (Điều 1.")
NOT_IN_MINUTES = (*NOT_IN_A_MEMO, "recitals (Căn cứ", "recipients (Nơi nhận", "signer's authority")
# A cover sheet is the office's filing sheet of a dossier: the header and layout, nothing signed.
NOT_ON_A_COVER_SHEET = NOT_IN_MINUTES


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def failures(result, *, not_applicable: tuple[str, ...]) -> list[str]:
    """The checker's failed checks, but those naming a part this kind of document has not."""
    return [
        line
        for line in result.stdout.splitlines()
        if line.startswith("FAIL") and not any(part in line for part in not_applicable)
    ]


def stored(field) -> bytes:
    with field.open("rb") as file:
        return file.read()


# Decisions: an award decision, signed or with a long list, is checked in test_decision_rendering.


@pytest.fixture
def awarded(period, unit_a, secretary, principal, pkcs12_signing):
    """A signed decision giving Hương and Bình the title of Advanced Worker."""
    nominees = [
        make_person(period.institution, unit_a, full_name="Nguyễn Thị Hương"),
        make_person(period.institution, unit_a, full_name="Trần Văn Bình", gender="male"),
    ]
    dossiers = [dossier_in(State.RECOMMENDED, period, unit_a, nominee=n) for n in nominees]
    draft = services.prepare_decision(
        person=secretary, award_type=dossiers[0].award_type, dossier_ids=[d.pk for d in dossiers]
    )
    return sign_committed(decision_id=draft.pk, person=principal)


def test_a_signed_revocation_decision_passes_the_nd30_check(awarded, secretary, principal,
                                                            tmp_path):  # fmt: skip
    revocation = services.prepare_revocation(
        person=secretary, decision_id=awarded.pk,
        dossier_ids=[awarded.items.order_by("position").first().dossier_id],
        reason="Hồ sơ kê khai thành tích không trung thực.",
    )  # fmt: skip
    signed = sign_committed(decision_id=revocation.pk, person=principal)

    result = check_nd30(stored(signed.pdf), tmp_path, "--pages")

    assert result.returncode == 0, result.stdout


def test_a_certificate_of_merit_decision_passes_the_nd30_check(period, unit_a, secretary,
                                                               principal, pkcs12_signing,
                                                               tmp_path):  # fmt: skip
    dossier = dossier_in(State.RECOMMENDED, period, unit_a, award="certificate_of_merit")
    draft = services.prepare_decision(
        person=secretary, award_type=dossier.award_type, dossier_ids=[dossier.pk]
    )
    signed = sign_committed(decision_id=draft.pk, person=principal)

    result = check_nd30(stored(signed.pdf), tmp_path, "--pages")

    assert result.returncode == 0, result.stdout


# The proposal memo (tờ trình) of awards decided upward


def upward_dossiers(period, unit, count: int):
    award = "provincial_certificate_of_merit"
    return [
        dossier_in(
            State.RECOMMENDED, period, unit, award=award,
            nominee=make_person(period.institution, unit, full_name=awardee_name(n)),
        )
        for n in range(count)
    ]  # fmt: skip


def memo_pdf(dossiers, principal) -> bytes:
    memo = upward.submit_upward(
        dossier_ids=[d.pk for d in dossiers], person=principal, today=datetime.date(2027, 1, 5)
    )
    return stored(memo.pdf)


def test_a_proposal_memo_passes_the_nd30_layout_check(period, unit_a, principal, tmp_path):
    result = check_nd30(memo_pdf(upward_dossiers(period, unit_a, 1), principal), tmp_path)

    assert failures(result, not_applicable=NOT_IN_A_MEMO) == [], result.stdout


def test_a_long_proposal_memo_numbers_its_pages_at_the_top_centre(
    period, unit_a, principal, tmp_path
):
    pdf = memo_pdf(upward_dossiers(period, unit_a, 14), principal)

    result = check_nd30(pdf, tmp_path, "--pages")

    assert page_count(pdf) > 1
    assert failures(result, not_applicable=NOT_IN_A_MEMO) == [], result.stdout


# The council's minutes (biên bản họp xét)


def closed_meeting(period, secretary, chair, members, dossiers):
    meeting = council.create_meeting(
        person=secretary, period=period, title="Họp xét thi đua, khen thưởng năm 2026",
        held_on=timezone.now(), place="Phòng họp số 1", chair=chair,
    )  # fmt: skip
    council.set_agenda(
        meeting_id=meeting.pk, person=secretary, dossier_ids=[d.pk for d in dossiers]
    )
    council.open_meeting(meeting_id=meeting.pk, person=secretary)
    items = items_of(meeting)
    for member in members:
        council.cast_ballot(
            meeting_id=meeting.pk, person=member, choices={i.pk: "agree" for i in items}
        )
    council.close_meeting(meeting_id=meeting.pk, person=secretary)
    return meeting


def council_minutes(meeting, person) -> bytes:
    response = login(person).get(reverse("meeting_minutes", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content


def test_the_council_minutes_pass_the_nd30_layout_check(period, unit_a, secretary, principal,
                                                        council_member, tmp_path):  # fmt: skip
    dossiers = [dossier_in(State.REVIEWED, period, unit_a)]
    meeting = closed_meeting(period, secretary, principal, [secretary, principal, council_member],
                             dossiers)  # fmt: skip

    result = check_nd30(council_minutes(meeting, council_member), tmp_path)

    assert failures(result, not_applicable=NOT_IN_MINUTES) == [], result.stdout


def test_long_council_minutes_number_their_pages_at_the_top_centre(period, unit_a, secretary,
                                                                   principal, council_member,
                                                                   tmp_path):  # fmt: skip
    dossiers = [dossier_in(State.REVIEWED, period, unit_a) for _ in range(30)]
    meeting = closed_meeting(period, secretary, principal, [secretary, principal, council_member],
                             dossiers)  # fmt: skip
    pdf = council_minutes(meeting, council_member)

    result = check_nd30(pdf, tmp_path, "--pages")

    assert page_count(pdf) > 1
    assert failures(result, not_applicable=NOT_IN_MINUTES) == [], result.stdout


# A unit's evaluation minutes (biên bản họp bình xét)


def unit_minutes(head, unit, period, dossiers) -> bytes:
    recorded = evaluation.record_meeting(
        person=head, unit=unit, period=period, **details(unit, dossiers)
    )
    meeting = UnitMeeting.objects.get(pk=recorded.meeting.pk)
    response = login(head).get(reverse("unit_meeting_minutes", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content


def test_a_units_minutes_pass_the_nd30_layout_check(period, unit_a, head_a, tmp_path):
    dossier = dossier_in(State.DRAFT, period, unit_a)

    result = check_nd30(unit_minutes(head_a, unit_a, period, [dossier]), tmp_path)

    assert failures(result, not_applicable=NOT_IN_MINUTES) == [], result.stdout


def test_a_large_units_minutes_number_their_pages_at_the_top_centre(period, unit_a, head_a,
                                                                    tmp_path):  # fmt: skip
    for n in range(60):
        make_person(period.institution, unit_a, full_name=awardee_name(n))
    dossiers = [dossier_in(State.DRAFT, period, unit_a) for _ in range(12)]
    pdf = unit_minutes(head_a, unit_a, period, dossiers)

    result = check_nd30(pdf, tmp_path, "--pages")

    assert page_count(pdf) > 1
    assert failures(result, not_applicable=NOT_IN_MINUTES) == [], result.stdout


# A dossier's cover sheet (phiếu hồ sơ)


def test_a_cover_sheet_passes_the_nd30_layout_check(period, unit_a, head_a, tmp_path):
    award = AwardType.objects.get(institution=period.institution, code="advanced_worker")
    dossier = dossier_services.create_dossier(
        person=head_a, unit=unit_a, period=period, award_type=award,
        achievement_summary="Hoàn thành xuất sắc nhiệm vụ giảng dạy.",
        nominee_person=make_person(period.institution, unit_a, full_name="Lê Thị Mai"),
        documents=[
            (kind, pdf_upload(f"{kind.code}.pdf", b"%PDF-1.4\n% " + kind.code.encode()))
            for kind in award.required_document_kinds.order_by("code")
        ],
    )  # fmt: skip
    response = login(head_a).get(reverse("dossier_cover", args=[dossier.pk]))

    result = check_nd30(response.content, tmp_path, "--pages")

    assert failures(result, not_applicable=NOT_ON_A_COVER_SHEET) == [], result.stdout
