"""The conditions an action needs besides state and role: refused with every reason, in both
languages, and nothing changed."""

from __future__ import annotations

import datetime
import functools
import re

import pytest
from django.utils import timezone, translation

from council import services as council
from decisions.models import Decision
from decisions.services import prepare_decision, prepare_revocation, sign_decision
from dossiers import services as dossier_services
from dossiers.models import (
    AwardType,
    DisciplinaryRecord,
    DisciplineLevel,
    Document,
    Period,
    Rating,
    RecognisedInitiative,
    Role,
    State,
    TitleRecord,
)
from tests.conftest import make_dossier, make_person, make_unit, put_on_agenda
from tests.factories import (
    Cast,
    audit_mark,
    dossier_in,
    events_after,
    own_certificate,
    signing_certificate,
)
from tests.test_lifecycle_matrix import ARGUMENTS, act
from workflow import services
from workflow.errors import GuardFailed, InvalidInput

S = State
NAME = "Phạm Minh Đức"
VIETNAMESE_LETTER = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE
)
NEEDS_REASON_FROM = {
    "return_for_revision": (S.SUBMITTED, "reviewer"),
    "decline": (S.SUBMITTED, "reviewer"),
    "suspend": (S.REVIEWED, "reviewer"),
    "resume": (S.SUSPENDED, "reviewer"),
    "return_to_council": (S.RECOMMENDED, "principal"),
    "revoke": (S.SIGNED, "principal"),
}


@pytest.fixture
def nominee(institution, unit_a):
    return make_person(institution, unit_a, full_name=NAME)


def attempt_of(dossier, action, person, **overrides):
    """The action as people attempt it, ready to run. Signing and revoking are done on the
    decision page: signing a draft decision naming the dossier (prepared now), and preparing a
    revocation with its reason; any other action goes through the one door."""
    if action == "sign":
        signing_certificate()
        own_certificate(person)
        prepare = functools.partial(
            prepare_decision,
            person=Cast(dossier.institution).secretary,
            award_type=dossier.award_type,
            dossier_ids=[dossier.pk],
        )
        if dossier.award_type.decided_by == AwardType.DecidedBy.UPWARD:
            return prepare  # refused with the draft: a decision never gives such an award
        decision = prepare()
        return lambda: sign_decision(decision_id=decision.pk, person=person)
    if action == "revoke":
        original = Decision.objects.get(items__dossier=dossier, kind=Decision.Kind.AWARD)
        return lambda: prepare_revocation(
            person=person,
            decision_id=original.pk,
            dossier_ids=[dossier.pk],
            reason=overrides.get("reason", "Lý do thu hồi."),
        )
    return lambda: act(dossier, action, person, **overrides)


def refused(dossier, action, person, **overrides) -> GuardFailed:
    """Attempt the action, expect a guard refusal, and check that nothing changed."""
    attempt = attempt_of(dossier, action, person, **overrides)
    dossier.refresh_from_db()
    before, mark = (dossier.state, dossier.version), audit_mark()
    with pytest.raises(GuardFailed) as refusal:
        attempt()
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == before
    assert not events_after(mark).exists()
    return refusal.value


def refused_on_agenda(dossier, action, person, arguments=None) -> GuardFailed:
    """Like `refused`, for a dossier whose meeting the test set up itself."""
    dossier.refresh_from_db()
    before = dossier.version
    with pytest.raises(GuardFailed) as refusal:
        services.transition(
            dossier_id=dossier.pk, action=action, person=person,
            expected_version=dossier.version, arguments=arguments,
        )  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.version == before
    return refusal.value


def submitted(dossier, head) -> bool:
    return act(dossier, "submit", head).state == S.SUBMITTED


def discipline(person, period, level=DisciplineLevel.REPRIMAND):
    return DisciplinaryRecord.objects.create(
        institution=person.institution,
        person=person,
        period=period,
        level=level,
        decided_on=datetime.date(2026, 3, 1),
    )


def title(person, code: str, year: int) -> TitleRecord:
    """An imported entry of the person's title history."""
    return TitleRecord.objects.create(
        institution=person.institution,
        person=person,
        award_type=AwardType.objects.get(institution=person.institution, code=code),
        year=year,
        source=TitleRecord.Source.IMPORTED,
    )


def grassroots_titles(person, *years):
    for year in years:
        title(person, "grassroots_emulation_fighter", year)


def drop_document(dossier, kind_code: str) -> None:
    """The unit head removes the dossier's document of that kind (through the service)."""
    document = Document.objects.get(dossier=dossier, kind__code=kind_code)
    dossier.refresh_from_db()
    dossier_services.remove_document(
        document_id=document.pk,
        person=Cast(dossier.institution).head_of(dossier.unit),
        expected_version=dossier.version,
    )


# --- submit: documents and nominee -------------------------------------------------------------


def test_submit_is_refused_naming_the_missing_required_document(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)
    drop_document(dossier, "unit_minutes")

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == ["Required documents are missing: Minutes of the unit's meeting."]
    assert len(refusal.reasons_vi) == 1
    assert "Biên bản họp xét của đơn vị" in refusal.reasons_vi[0]
    assert "Báo cáo thành tích" not in refusal.reasons_vi[0]


def test_submit_is_refused_naming_every_missing_document_when_there_are_none(
    period, unit_a, head_a
):
    dossier = make_dossier(period, unit_a, documents=False)

    refusal = refused(dossier, "submit", head_a)

    for name in ("Achievement report", "Minutes of the unit's meeting", "Evidence of the annual"):
        assert name in refusal.reasons_en[0]
    for name in ("Báo cáo thành tích", "Biên bản họp xét", "Minh chứng kết quả đánh giá"):
        assert name in refusal.reasons_vi[0]


def test_submit_is_refused_for_a_person_of_another_unit(
    institution, period, unit_a, unit_b, head_a
):
    outsider = make_person(institution, unit_b, full_name=NAME)
    dossier = make_dossier(period, unit_a, nominee=outsider)

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == [f"{NAME} is not a member of Khoa Toán."]
    assert NAME in refusal.reasons_vi[0]


def test_submit_is_refused_for_a_person_nominated_for_a_collective_award(
    period, unit_a, head_a, nominee
):
    dossier = make_dossier(period, unit_a, nominee=nominee, award="advanced_collective")

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == ["“Advanced Collective” is awarded to collectives."]
    assert "Tập thể lao động tiên tiến" in refusal.reasons_vi[0]


def test_submit_is_refused_for_a_collective_nominated_for_an_individual_award(
    period, unit_a, head_a
):
    dossier = make_dossier(period, unit_a, nominee=unit_a, award="advanced_worker")

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == ["“Advanced Worker” is awarded to individuals."]


def test_resubmit_is_refused_on_the_same_conditions_as_submit(period, unit_a, head_a):
    dossier = dossier_in(S.RETURNED, period, unit_a)
    drop_document(dossier, "achievement_report")

    refusal = refused(dossier, "resubmit", head_a)

    assert refusal.reasons_en == ["Required documents are missing: Achievement report."]


# --- submit: eligibility -----------------------------------------------------------------------


def test_submit_is_refused_when_the_nominee_is_rated_below_the_awards_minimum(
    period, unit_a, head_a, nominee
):
    dossier = make_dossier(period, unit_a, nominee=nominee, rating=Rating.COMPLETED)

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == [
        f"{NAME} is rated “Completed tasks” for Năm 2026; "
        "the award needs at least “Completed tasks well”."
    ]


def test_submit_is_refused_when_the_nominee_has_no_rating_for_the_period(
    period, unit_a, head_a, nominee
):
    dossier = make_dossier(period, unit_a, nominee=nominee, rating=None)

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == [
        f"{NAME} is rated “not rated” for Năm 2026; "
        "the award needs at least “Completed tasks well”."
    ]


def test_submit_is_refused_when_the_nominee_was_reprimanded_in_the_period(
    period, unit_a, head_a, nominee
):
    discipline(nominee, period)
    dossier = make_dossier(period, unit_a, nominee=nominee)

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == [f"{NAME} was disciplined (Reprimand) in Năm 2026."]


def test_a_reprimand_in_an_earlier_period_does_not_stop_the_submission(
    institution, period, unit_a, head_a, nominee
):
    earlier = Period.objects.create(
        institution=institution,
        name="Năm 2025",
        kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
    )
    discipline(nominee, earlier)
    dossier = make_dossier(period, unit_a, nominee=nominee)

    assert submitted(dossier, head_a)


def nominate_advanced_worker(period, unit, head, nominee, **fields):
    """The nominee's Advanced Worker nomination of the period, submitted."""
    dossier = make_dossier(period, unit, nominee=nominee, award="advanced_worker", **fields)
    assert submitted(dossier, head)
    return dossier


@pytest.fixture
def advanced_worker_nominated(period, unit_a, head_a, nominee):
    return nominate_advanced_worker(period, unit_a, head_a, nominee)


def grassroots_fighter(period, unit, nominee, **fields):
    return make_dossier(
        period, unit, nominee=nominee, award="grassroots_emulation_fighter", **fields
    )


def test_grassroots_fighter_without_advanced_worker_in_the_same_period_is_refused(
    period, unit_a, head_a, nominee
):
    dossier = grassroots_fighter(period, unit_a, nominee, rating=Rating.COMPLETED_EXCELLENTLY)

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == [
        f"{NAME} needs “Advanced Worker” in Năm 2026 too: neither held nor nominated "
        "(submit that nomination as well)."
    ]


def test_grassroots_fighter_whose_advanced_worker_is_still_a_draft_is_refused(
    period, unit_a, head_a, nominee
):
    excellent = Rating.COMPLETED_EXCELLENTLY
    make_dossier(period, unit_a, nominee=nominee, award="advanced_worker", rating=excellent)
    dossier = grassroots_fighter(period, unit_a, nominee, rating=excellent)

    assert "Advanced Worker" in refused(dossier, "submit", head_a).reasons_en[0]


def test_grassroots_fighter_holding_advanced_worker_of_the_year_may_be_submitted(
    period, unit_a, head_a, nominee
):
    title(nominee, "advanced_worker", period.year)
    dossier = grassroots_fighter(period, unit_a, nominee, rating=Rating.COMPLETED_EXCELLENTLY)

    assert submitted(dossier, head_a)


def test_grassroots_fighter_with_advanced_worker_of_last_year_only_is_refused(
    period, unit_a, head_a, nominee
):
    title(nominee, "advanced_worker", period.year - 1)
    dossier = grassroots_fighter(period, unit_a, nominee, rating=Rating.COMPLETED_EXCELLENTLY)

    assert "Advanced Worker" in refused(dossier, "submit", head_a).reasons_en[0]


def test_a_revoked_advanced_worker_title_does_not_qualify_a_grassroots_fighter(
    period, unit_a, head_a, nominee
):
    record = title(nominee, "advanced_worker", period.year)
    record.revoked_at = timezone.now()
    record.save(update_fields=["revoked_at"])
    dossier = grassroots_fighter(period, unit_a, nominee, rating=Rating.COMPLETED_EXCELLENTLY)

    assert "Advanced Worker" in refused(dossier, "submit", head_a).reasons_en[0]


def test_grassroots_fighter_without_excellence_or_initiative_is_refused(
    period, unit_a, head_a, nominee, advanced_worker_nominated
):
    dossier = make_dossier(period, unit_a, nominee=nominee, award="grassroots_emulation_fighter")

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == [
        f"{NAME} needs an excellent rating or a recognised initiative in Năm 2026."
    ]


def test_grassroots_fighter_with_a_recognised_initiative_may_be_submitted(
    period, unit_a, head_a, nominee, advanced_worker_nominated
):
    RecognisedInitiative.objects.create(
        institution=period.institution,
        person=nominee,
        period=period,
        kind=RecognisedInitiative.Kind.INITIATIVE,
        scope=RecognisedInitiative.Scope.GRASSROOTS,
        title="Đổi mới phương pháp dạy học toán",
        recognised_on=datetime.date(2026, 5, 20),
    )
    dossier = make_dossier(period, unit_a, nominee=nominee, award="grassroots_emulation_fighter")

    assert submitted(dossier, head_a)


def test_grassroots_fighter_rated_excellent_may_be_submitted_without_initiative(
    period, unit_a, head_a, nominee
):
    nominate_advanced_worker(period, unit_a, head_a, nominee, rating=Rating.COMPLETED_EXCELLENTLY)
    dossier = make_dossier(
        period,
        unit_a,
        nominee=nominee,
        award="grassroots_emulation_fighter",
        rating=Rating.COMPLETED_EXCELLENTLY,
    )

    assert submitted(dossier, head_a)


def province_initiative(nominee, period):
    """The initiative of province scope a Provincial Emulation Fighter needs besides the years."""
    return RecognisedInitiative.objects.create(
        institution=period.institution, person=nominee, period=period, scope="province",
        kind=RecognisedInitiative.Kind.INITIATIVE, title="Sáng kiến đổi mới dạy học",
        recognised_on=period.starts_on,
    )  # fmt: skip


def provincial_fighter(period, unit, nominee):
    province_initiative(nominee, period)
    return make_dossier(
        period,
        unit,
        nominee=nominee,
        award="provincial_emulation_fighter",
        rating=Rating.COMPLETED_EXCELLENTLY,
    )


@pytest.mark.parametrize(
    "years",
    [(2025, 2024, 2023), (2026, 2025, 2024), (2025, 2024, 2023, 2022)],
    ids=["last-three-years", "this-year-and-two-before", "four-years"],
)
def test_provincial_fighter_with_three_consecutive_grassroots_titles_may_be_submitted(
    period, unit_a, head_a, nominee, years
):
    grassroots_titles(nominee, *years)
    dossier = provincial_fighter(period, unit_a, nominee)

    assert submitted(dossier, head_a)


@pytest.mark.parametrize(
    ("years", "run"),
    [((2025, 2023, 2022), 1), ((2024, 2023, 2022), 0), ((2025, 2024), 2)],
    ids=["gap-after-last-year", "nothing-last-year", "only-two-years"],
)
def test_provincial_fighter_without_three_consecutive_grassroots_titles_is_refused(
    period, unit_a, head_a, nominee, years, run
):
    grassroots_titles(nominee, *years)
    dossier = provincial_fighter(period, unit_a, nominee)

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == [
        f"{NAME} needs 3 consecutive years of “Grassroots Emulation Fighter”; has {run}."
    ]


def test_provincial_fighter_rated_only_well_is_refused(period, unit_a, head_a, nominee):
    grassroots_titles(nominee, 2025, 2024, 2023)
    province_initiative(nominee, period)
    dossier = make_dossier(period, unit_a, nominee=nominee, award="provincial_emulation_fighter")

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == [
        f"{NAME} is rated “Completed tasks well” for Năm 2026; "
        "the award needs at least “Completed tasks excellently”."
    ]


# --- submit: a collective's share of advanced workers -------------------------------------------


@pytest.fixture
def unit_c(institution):
    """A unit of exactly ten members; its head belongs to another unit."""
    return make_unit(institution, "khoa-c", "Khoa Sử")


@pytest.fixture
def head_c(institution, unit_b, unit_c):
    return make_person(institution, unit_b, roles=[Role.UNIT_HEAD], role_unit=unit_c)


@pytest.fixture
def members_c(institution, unit_c, head_c):
    return [make_person(institution, unit_c) for _ in range(10)]


def advanced_worker_titles(members, year):
    award = AwardType.objects.get(institution=members[0].institution, code="advanced_worker")
    for member in members:
        TitleRecord.objects.create(
            institution=member.institution,
            person=member,
            award_type=award,
            year=year,
            source=TitleRecord.Source.GRANTED,
        )


def test_a_collective_with_seven_of_ten_advanced_workers_may_be_submitted(
    period, unit_c, head_c, members_c
):
    advanced_worker_titles(members_c[:7], period.year)
    dossier = make_dossier(period, unit_c, award="advanced_collective")

    assert submitted(dossier, head_c)


def test_a_collective_with_six_of_ten_advanced_workers_is_refused(
    period, unit_c, head_c, members_c
):
    advanced_worker_titles(members_c[:6], period.year)
    dossier = make_dossier(period, unit_c, award="advanced_collective")

    refusal = refused(dossier, "submit", head_c)

    assert refusal.reasons_en == [
        "6 of 10 members hold or are nominated for “Advanced Worker”; at least 70% are needed."
    ]


def test_titles_of_another_year_do_not_count_towards_the_collectives_share(
    period, unit_c, head_c, members_c
):
    advanced_worker_titles(members_c[:6], period.year)
    advanced_worker_titles(members_c[6:], period.year - 1)
    dossier = make_dossier(period, unit_c, award="advanced_collective")

    refused(dossier, "submit", head_c)


@pytest.mark.parametrize("state", [S.SUBMITTED, S.REVIEWED, S.SIGNED])
def test_a_member_nominated_for_advanced_worker_counts_towards_the_collectives_share(
    period, unit_c, head_c, members_c, state
):
    advanced_worker_titles(members_c[:6], period.year)
    dossier_in(state, period, unit_c, nominee=members_c[6])
    dossier = make_dossier(period, unit_c, award="advanced_collective")

    assert submitted(dossier, head_c)


@pytest.mark.parametrize("state", [S.DRAFT, S.RETURNED, S.WITHDRAWN, S.DECLINED])
def test_a_member_whose_nomination_is_not_submitted_does_not_count(
    period, unit_c, head_c, members_c, state
):
    advanced_worker_titles(members_c[:6], period.year)
    dossier_in(state, period, unit_c, nominee=members_c[6])
    dossier = make_dossier(period, unit_c, award="advanced_collective")

    refusal = refused(dossier, "submit", head_c)

    assert refusal.reasons_en[0].startswith("6 of 10 members")


def test_a_collective_with_a_member_warned_in_the_period_is_refused(
    period, unit_c, head_c, members_c
):
    advanced_worker_titles(members_c, period.year)
    discipline(members_c[0], period, DisciplineLevel.WARNING)
    dossier = make_dossier(period, unit_c, award="advanced_collective")

    refusal = refused(dossier, "submit", head_c)

    assert refusal.reasons_en == ["1 member(s) of Khoa Sử were disciplined at “Warning” or above."]


# --- all problems at once ----------------------------------------------------------------------


def test_every_problem_is_reported_at_once(period, unit_a, head_a, nominee):
    discipline(nominee, period)
    dossier = make_dossier(period, unit_a, nominee=nominee, rating=Rating.COMPLETED)
    drop_document(dossier, "rating_evidence")

    refusal = refused(dossier, "submit", head_a)

    missing, rating, disciplined = refusal.reasons_en
    assert missing == "Required documents are missing: Evidence of the annual rating."
    assert rating.startswith(f"{NAME} is rated “Completed tasks”")
    assert disciplined.startswith(f"{NAME} was disciplined")
    assert len(refusal.reasons_vi) == 3


# --- reasons required --------------------------------------------------------------------------


def dossier_needing_reason(period, unit, action):
    state, _who = NEEDS_REASON_FROM[action]
    return dossier_in(state, period, unit)


@pytest.mark.parametrize("reason", ["", "   \n "], ids=["empty", "blank"])
@pytest.mark.parametrize("action", list(NEEDS_REASON_FROM))
def test_an_action_needing_a_reason_is_refused_without_one(request, period, unit_a, action, reason):
    dossier = dossier_needing_reason(period, unit_a, action)
    person = request.getfixturevalue(NEEDS_REASON_FROM[action][1])

    refusal = refused(dossier, action, person, reason=reason)

    assert refusal.reasons_en == ["A reason is required for this action."]


@pytest.mark.parametrize("action", list(NEEDS_REASON_FROM))
def test_the_missing_reason_refusal_reads_in_vietnamese(request, period, unit_a, action):
    dossier = dossier_needing_reason(period, unit_a, action)
    person = request.getfixturevalue(NEEDS_REASON_FROM[action][1])

    refusal = refused(dossier, action, person, reason="")

    assert refusal.reasons_vi == ["Phải nêu lý do cho thao tác này."]


# --- after the council: the award's path ------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "state", "award", "who", "message"),
    [
        (
            "publish",
            S.RECOMMENDED,
            "advanced_worker",
            "secretary",
            "This award has no public-notice period.",
        ),
        (
            "sign",
            S.RECOMMENDED,
            "grassroots_emulation_fighter",
            "principal",
            "This award must be published for public notice before signing.",
        ),
        (
            "sign",
            S.RECOMMENDED,
            "provincial_certificate_of_merit",
            "principal",
            "This award is decided by a higher authority: submit it upward.",
        ),
        (
            "submit_upward",
            S.RECOMMENDED,
            "advanced_worker",
            "principal",
            "This award is decided by the principal, not a higher authority.",
        ),
    ],
    ids=[
        "publish-an-award-without-notice",
        "sign-before-public-notice",
        "sign-an-upward-award",
        "submit-upward-a-principals-award",
    ],
)
def test_the_awards_path_after_the_council_is_enforced(
    request, period, unit_a, action, state, award, who, message
):
    dossier = dossier_in(state, period, unit_a, award=award)

    refusal = refused(dossier, action, request.getfixturevalue(who))

    assert refusal.reasons_en == [message]


def test_closing_a_vote_without_an_outcome_is_malformed_input_and_changes_nothing(
    period, unit_a, secretary
):
    dossier = dossier_in(S.VOTING, period, unit_a)
    version, mark = dossier.version, audit_mark()

    with pytest.raises(InvalidInput) as refusal, translation.override("en"):
        act(dossier, "close_vote", secretary, arguments={})

    assert str(refusal.value) == "A value is missing for this action: recommended."
    assert refusal.value.http_status == 400
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (S.VOTING, version)
    assert not events_after(mark).exists()


def test_closing_a_vote_with_an_outcome_other_than_the_tallys_is_refused(period, unit_a, secretary):
    dossier = dossier_in(S.VOTING, period, unit_a)
    # A closed tally against the dossier while it is still voting: close_meeting moves every
    # dossier with its tally in one transaction, so only a hand-made meeting can disagree.
    put_on_agenda(dossier, "closed", recommended=False)

    refusal = refused_on_agenda(dossier, "close_vote", secretary, {"recommended": True})

    assert refusal.reasons_en == ["The outcome must be the one computed from the council's tally."]


def test_closing_a_vote_before_the_meeting_closed_is_refused(period, unit_a, secretary):
    dossier = dossier_in(S.VOTING, period, unit_a)  # its meeting is open

    refusal = refused_on_agenda(dossier, "close_vote", secretary, {"recommended": True})

    assert refusal.reasons_en == ["The council's vote on this dossier has not been closed."]


def test_opening_the_vote_on_a_dossier_not_on_an_open_agenda_is_refused(period, unit_a, secretary):
    dossier = dossier_in(S.REVIEWED, period, unit_a)
    meeting = council.create_meeting(
        person=secretary, period=period, title="Phiên họp", held_on=timezone.now(),
        place="Phòng họp A", chair=secretary,
    )  # fmt: skip
    council.set_agenda(meeting_id=meeting.pk, person=secretary, dossier_ids=[dossier.pk])

    refusal = refused_on_agenda(dossier, "open_vote", secretary)

    assert refusal.reasons_en == ["The dossier is not on the agenda of a meeting open for voting."]


@pytest.mark.parametrize(
    "missing", ["decision_number", "decision_date"], ids=["no-number", "no-date"]
)
def test_recording_a_higher_decision_needs_its_number_and_date(period, unit_a, reviewer, missing):
    dossier = dossier_in(
        S.SUBMITTED_UPWARD, period, unit_a, award="provincial_certificate_of_merit"
    )
    arguments = {**ARGUMENTS["record_outcome"], missing: ""}

    refusal = refused(dossier, "record_outcome", reviewer, arguments=arguments)

    assert refusal.reasons_en == ["Give the number and date of the higher authority's decision."]


# --- every refusal reads in Vietnamese ---------------------------------------------------------


def _missing_documents(f):
    dossier = make_dossier(f("period"), f("unit_a"), documents=False)
    return refused(dossier, "submit", f("head_a"))


def _wrong_unit(f):
    outsider = make_person(f("institution"), f("unit_b"))
    return refused(make_dossier(f("period"), f("unit_a"), nominee=outsider), "submit", f("head_a"))


def _wrong_kind(f):
    dossier = make_dossier(
        f("period"), f("unit_a"), award="advanced_collective", nominee=f("nominee")
    )
    return refused(dossier, "submit", f("head_a"))


def _low_rating_and_discipline(f):
    discipline(f("nominee"), f("period"))
    dossier = make_dossier(f("period"), f("unit_a"), nominee=f("nominee"), rating=Rating.COMPLETED)
    return refused(dossier, "submit", f("head_a"))


def _no_initiative(f):
    dossier = make_dossier(
        f("period"), f("unit_a"), nominee=f("nominee"), award="grassroots_emulation_fighter"
    )
    return refused(dossier, "submit", f("head_a"))


def _no_prerequisite(f):
    return refused(
        provincial_fighter(f("period"), f("unit_a"), f("nominee")), "submit", f("head_a")
    )


def _collective_share_and_discipline(f):
    members = f("members_c")
    discipline(members[0], f("period"), DisciplineLevel.WARNING)
    dossier = make_dossier(f("period"), f("unit_c"), award="advanced_collective")
    return refused(dossier, "submit", f("head_c"))


def _no_reason(f):
    dossier = dossier_in(S.SUBMITTED, f("period"), f("unit_a"))
    return refused(dossier, "decline", f("reviewer"), reason="")


def _no_notice(f):
    dossier = dossier_in(S.RECOMMENDED, f("period"), f("unit_a"))
    return refused(dossier, "publish", f("secretary"))


def _no_outcome(f):
    dossier = dossier_in(
        S.SUBMITTED_UPWARD, f("period"), f("unit_a"), award="provincial_certificate_of_merit"
    )
    return refused(dossier, "record_outcome", f("reviewer"), arguments={"granted": True})


REFUSALS = {
    "missing-documents": _missing_documents,
    "nominee-of-another-unit": _wrong_unit,
    "wrong-kind-of-nominee": _wrong_kind,
    "low-rating-and-discipline": _low_rating_and_discipline,
    "no-initiative": _no_initiative,
    "no-prerequisite-titles": _no_prerequisite,
    "collective-share-and-discipline": _collective_share_and_discipline,
    "no-reason": _no_reason,
    "no-public-notice": _no_notice,
    "no-outcome": _no_outcome,
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_every_refusal_reason_is_worded_in_vietnamese(request, case):
    refusal = REFUSALS[case](request.getfixturevalue)

    for reason in refusal.reasons:
        with translation.override("vi"):
            wording = str(reason.template)
        assert VIETNAMESE_LETTER.search(wording), f"not translated: {wording!r}"
    assert refusal.reasons_vi != refusal.reasons_en


def test_a_refused_submission_keeps_the_dossier_a_draft_for_the_unit_to_fix(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a, documents=False)
    refused(dossier, "submit", head_a)

    assert (
        services.transition(
            dossier_id=dossier.pk, action="withdraw", person=head_a, expected_version=1
        ).state
        == S.WITHDRAWN
    )


def test_a_revoked_title_does_not_count_towards_consecutive_years(period, unit_a, head_a, nominee):
    grassroots_titles(nominee, 2025, 2024, 2023)
    TitleRecord.objects.filter(person=nominee, year=2024).update(
        revoked_at=timezone.now(), revoked_by_reference="03/QĐ-CĐNGT"
    )
    dossier = provincial_fighter(period, unit_a, nominee)

    refusal = refused(dossier, "submit", head_a)

    assert refusal.reasons_en == [
        f"{NAME} needs 3 consecutive years of “Grassroots Emulation Fighter”; has 1."
    ]


def test_a_revoked_title_does_not_count_towards_the_collectives_share(
    period, unit_c, head_c, members_c
):
    advanced_worker_titles(members_c[:7], period.year)
    TitleRecord.objects.filter(person=members_c[0]).update(
        revoked_at=timezone.now(), revoked_by_reference="03/QĐ-CĐNGT"
    )
    dossier = make_dossier(period, unit_c, award="advanced_collective")

    refusal = refused(dossier, "submit", head_c)

    assert refusal.reasons_en == [
        "6 of 10 members hold or are nominated for “Advanced Worker”; at least 70% are needed."
    ]
