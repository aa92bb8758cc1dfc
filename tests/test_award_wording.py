"""What the documents say they do with each kind of award (issue 16): a decision gives a title
("tặng danh hiệu “…”") or a form of award ("tặng Giấy khen …"); an award beyond the principal's
authority is only proposed ("đề nghị … xét tặng …") to the authority that decides it, by name."""

from __future__ import annotations

import pytest

from decisions import services
from decisions.models import Decision
from dossiers.models import AwardType
from tests.test_upward import proposed
from workflow.errors import GuardFailed


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def award(institution, code: str) -> AwardType:
    return AwardType.objects.get(institution=institution, code=code)


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
