"""What the documents say they do with each kind of award (issue 16): a decision gives a title
("tặng danh hiệu “…”") or a form of award ("tặng Giấy khen …"); an award beyond the principal's
authority is only proposed ("đề nghị … xét tặng …") to the authority that decides it, by name."""

from __future__ import annotations

import re

import pytest

from decisions import services, upward
from decisions.models import Decision
from dossiers.models import AwardType
from tests.test_upward import memo_bytes, pdf_text, proposed
from workflow.errors import GuardFailed

PROVINCE_CHAIRMAN = "Chủ tịch Ủy ban nhân dân tỉnh Bắc Ninh"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def award(institution, code: str) -> AwardType:
    return AwardType.objects.get(institution=institution, code=code)


def memo_text(dossiers, principal) -> str:
    memo = upward.submit_upward(dossier_ids=[d.pk for d in dossiers], person=principal)
    return pdf_text(memo_bytes(memo))


# Decisions of the principal


def test_a_title_decision_is_about_giving_the_title(institution):
    assert services.default_subject(award(institution, "advanced_worker")) == (
        "Về việc tặng danh hiệu “Lao động tiên tiến”"
    )


def test_a_certificate_of_merit_decision_is_about_giving_the_award_not_a_title(institution):
    assert services.default_subject(award(institution, "certificate_of_merit")) == (
        "Về việc tặng Giấy khen của Hiệu trưởng"
    )


def test_a_decision_cannot_be_prepared_for_an_award_decided_upward(period, unit_a, secretary):
    dossier = proposed(period, unit_a)

    with pytest.raises(GuardFailed) as refusal:
        services.prepare_decision(
            person=secretary, award_type=dossier.award_type, dossier_ids=[dossier.pk]
        )

    assert "decided by a higher authority" in str(refusal.value)
    assert not Decision.objects.exists()


# The proposal memo of awards decided upward


def test_the_memo_is_addressed_to_the_authority_that_decides_the_award(period, unit_a, principal):
    text = memo_text([proposed(period, unit_a, "Phạm Thị Lan")], principal)

    assert f"Kính gửi: {PROVINCE_CHAIRMAN}" in text


def test_the_memo_proposes_a_form_of_award_to_that_authority(period, unit_a, principal):
    text = memo_text([proposed(period, unit_a, "Phạm Thị Lan")], principal)

    assert (
        f"kính đề nghị {PROVINCE_CHAIRMAN} xét tặng Bằng khen của Chủ tịch UBND tỉnh cho 1 cá nhân"
    ) in text


def test_the_memo_proposes_a_title_as_a_title(period, unit_a, principal):
    dossier = proposed(period, unit_a, "Phạm Thị Lan", award="provincial_emulation_fighter")

    text = memo_text([dossier], principal)

    assert "xét tặng danh hiệu “Chiến sĩ thi đua cấp tỉnh” cho 1 cá nhân" in text


def test_the_memo_proposes_and_never_grants(period, unit_a, principal):
    dossiers = [
        proposed(period, unit_a, "Phạm Thị Lan"),
        proposed(period, unit_a, "Trần Văn Bình", award="provincial_emulation_fighter"),
    ]

    text = memo_text(dossiers, principal)

    assert "Điều 1." not in text and "QUYẾT ĐỊNH" not in text
    assert {before for before in re.findall(r"(\S+) tặng\b", text, re.IGNORECASE)} == {"xét"}


def test_an_upward_award_without_an_authority_of_its_own_goes_to_the_parent_body(
    period, unit_a, principal
):
    dossier = proposed(period, unit_a, "Phạm Thị Lan")
    AwardType.objects.filter(pk=dossier.award_type_id).update(proposed_to="")

    text = memo_text([dossier], principal)

    assert "Kính gửi: UBND TỈNH BẮC NINH" in text
