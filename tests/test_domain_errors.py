"""Domain errors: each class carries its HTTP status, stable type and exit code once, and each is
what the door raises when an action cannot happen — with nothing stored."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone, translation

from audit.models import AuditEvent
from council import services as council
from decisions import notices
from decisions import services as decisions
from decisions.models import Decision, DecisionCounter
from decisions.signing import SigningFailed
from dossiers.models import Dossier, Role, State
from tests.conftest import make_dossier, make_person, make_unit
from tests.factories import Cast, audit_mark, dossier_in, events_after, own_certificate
from tests.test_lifecycle_matrix import ARGUMENTS
from workflow import services
from workflow.errors import (
    BallotRefused,
    BulkTransitionFailed,
    Conflict,
    DecisionNotFound,
    DomainError,
    DossierNotFound,
    GuardFailed,
    IllegalTransition,
    InvalidInput,
    MeetingNotFound,
    NotFound,
    NoticeNotFound,
    NotPermitted,
    SeparationRefused,
    SigningError,
    StaleVersion,
    UnitMeetingNotFound,
)

S = State

# class -> (HTTP status, problem type, exit code), as workflow.errors documents them.
MEANING = {
    DomainError: (400, "domain-error", 1),
    InvalidInput: (400, "invalid-input", 2),
    NotFound: (404, "not-found", 7),
    DossierNotFound: (404, "not-found", 7),
    MeetingNotFound: (404, "not-found", 7),
    DecisionNotFound: (404, "not-found", 7),
    NoticeNotFound: (404, "not-found", 7),
    UnitMeetingNotFound: (404, "not-found", 7),
    NotPermitted: (403, "not-permitted", 3),
    SeparationRefused: (403, "separation-of-duties", 3),
    Conflict: (409, "conflict", 4),
    IllegalTransition: (409, "illegal-transition", 4),
    StaleVersion: (409, "stale-version", 6),
    BallotRefused: (409, "ballot-refused", 4),
    GuardFailed: (422, "guard-failed", 5),
    SigningError: (502, "signing-failed", 8),
}
FAMILIES = {
    NotFound: {
        DossierNotFound,
        MeetingNotFound,
        DecisionNotFound,
        NoticeNotFound,
        UnitMeetingNotFound,
    },
    NotPermitted: {SeparationRefused},
    Conflict: {IllegalTransition, StaleVersion, BallotRefused},
}


def every_subclass(cls) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *every_subclass(direct)}}


def meaning(error: DomainError) -> tuple[int, str, int]:
    return error.http_status, error.type, error.exit_code


# The classes


def test_the_table_names_every_domain_error():
    assert every_subclass(DomainError) - {BulkTransitionFailed} == set(MEANING) - {DomainError}


@pytest.mark.parametrize("cls", list(MEANING), ids=lambda cls: cls.__name__)
def test_each_domain_error_carries_its_status_type_and_exit_code(cls):
    error = cls([]) if cls in (GuardFailed, SeparationRefused) else cls()

    assert meaning(error) == MEANING[cls]


@pytest.mark.parametrize("family", list(FAMILIES), ids=lambda cls: cls.__name__)
def test_the_specific_errors_belong_to_their_family(family):
    assert {cls for cls in MEANING if cls is not family and issubclass(cls, family)} == (
        FAMILIES[family]
    )


@pytest.mark.parametrize("cls", [NotFound, NotPermitted, IllegalTransition, InvalidInput])
def test_a_failure_of_one_dossier_in_a_bulk_action_carries_that_failures_meaning(cls):
    bulk = BulkTransitionFailed(7, cls())

    assert meaning(bulk) == MEANING[cls]
    assert bulk.dossier_id == 7


def test_a_guard_failure_keeps_every_reason_in_both_languages(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a, documents=False)

    with pytest.raises(GuardFailed) as failure:
        services.transition(dossier_id=dossier.pk, action="submit", person=head_a,
                            expected_version=1)  # fmt: skip

    assert failure.value.reasons_en
    assert all(r.startswith("Required documents are missing") for r in failure.value.reasons_en)
    assert failure.value.reasons_vi != failure.value.reasons_en


# The door raises them, and stores nothing


def assert_nothing_stored(dossier: Dossier, mark: int) -> None:
    """The dossier is as it was, and the audit trail has nothing after `mark` (audit_mark)."""
    before = (dossier.state, dossier.version)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == before
    assert not events_after(mark).exists()


def attempt(dossier, action, person, *, expected_version=None, **options):
    return services.transition(
        dossier_id=dossier.pk, action=action, person=person,
        expected_version=dossier.version if expected_version is None else expected_version,
        **options,
    )  # fmt: skip


@pytest.fixture
def submitted(period, unit_a) -> Dossier:
    return dossier_in(S.SUBMITTED, period, unit_a)


def test_a_dossier_of_another_institution_is_not_found(submitted, other_institution):
    theirs = make_person(
        other_institution, make_unit(other_institution, "khoa-x", "Khoa X"), roles=[Role.REVIEWER]
    )
    mark = audit_mark()

    with pytest.raises(DossierNotFound) as failure:
        attempt(submitted, "approve", theirs)

    assert meaning(failure.value) == MEANING[DossierNotFound]
    assert_nothing_stored(submitted, mark)


def test_a_dossier_that_does_not_exist_is_not_found(submitted, reviewer):
    mark = audit_mark()

    with pytest.raises(DossierNotFound):
        services.transition(dossier_id=submitted.pk + 1000, action="approve", person=reviewer,
                            expected_version=1)  # fmt: skip

    assert_nothing_stored(submitted, mark)


def test_an_action_by_someone_without_its_role_is_not_permitted(submitted, auditor):
    mark = audit_mark()

    with pytest.raises(NotPermitted) as failure:
        attempt(submitted, "approve", auditor)

    assert meaning(failure.value) == MEANING[NotPermitted]
    assert_nothing_stored(submitted, mark)


def test_an_action_the_state_does_not_allow_is_an_illegal_transition(period, unit_a, reviewer):
    draft = make_dossier(period, unit_a, documents=False)
    mark = audit_mark()

    with pytest.raises(IllegalTransition) as failure:
        attempt(draft, "approve", reviewer)

    assert meaning(failure.value) == MEANING[IllegalTransition]
    assert_nothing_stored(draft, mark)


def test_an_action_nobody_described_is_an_illegal_transition(submitted, reviewer):
    mark = audit_mark()

    with pytest.raises(IllegalTransition):
        attempt(submitted, "approve_twice", reviewer)

    assert_nothing_stored(submitted, mark)


def test_an_action_on_a_version_someone_else_changed_is_a_stale_version(submitted, reviewer):
    mark = audit_mark()

    with pytest.raises(StaleVersion) as failure:
        attempt(submitted, "approve", reviewer, expected_version=submitted.version - 1)

    assert meaning(failure.value) == MEANING[StaleVersion]
    assert_nothing_stored(submitted, mark)


def test_an_action_whose_guards_refuse_fails_with_the_reasons(period, unit_a, head_a):
    draft = make_dossier(period, unit_a, documents=False)
    mark = audit_mark()

    with pytest.raises(GuardFailed) as failure, translation.override("en"):
        attempt(draft, "submit", head_a)

    assert meaning(failure.value) == MEANING[GuardFailed]
    assert failure.value.reasons
    assert "Required documents are missing" in str(failure.value)
    assert_nothing_stored(draft, mark)


def test_a_value_the_action_does_not_take_is_invalid_input(submitted, reviewer):
    mark = audit_mark()

    with pytest.raises(InvalidInput) as failure, translation.override("en"):
        attempt(submitted, "approve", reviewer, arguments={"urgent": True})

    assert meaning(failure.value) == MEANING[InvalidInput]
    assert str(failure.value) == "Unexpected values for this action: urgent."
    assert_nothing_stored(submitted, mark)


def test_a_value_of_the_wrong_kind_is_invalid_input(period, unit_a, secretary):
    voting = dossier_in(S.VOTING, period, unit_a)
    mark = audit_mark()

    with pytest.raises(InvalidInput) as failure, translation.override("en"):
        attempt(voting, "close_vote", secretary, arguments={"recommended": "yes"})

    assert str(failure.value) == "The value of recommended is of the wrong kind."
    assert_nothing_stored(voting, mark)


def test_a_moment_where_a_date_is_expected_is_invalid_input(period, unit_a, reviewer):
    upward = dossier_in(S.SUBMITTED_UPWARD, period, unit_a)
    moment = datetime.datetime(2026, 12, 1, 9, 0)
    mark = audit_mark()

    with pytest.raises(InvalidInput) as failure, translation.override("en"):
        attempt(upward, "record_outcome", reviewer,
                arguments={**ARGUMENTS["record_outcome"], "decision_date": moment})  # fmt: skip

    assert str(failure.value) == "The value of decision_date is of the wrong kind."
    assert_nothing_stored(upward, mark)


def test_a_missing_required_value_is_invalid_input(period, unit_a, secretary):
    recommended = dossier_in(S.RECOMMENDED, period, unit_a, award="grassroots_emulation_fighter")
    mark = audit_mark()

    with pytest.raises(InvalidInput) as failure, translation.override("en"):
        attempt(recommended, "publish", secretary, arguments={})

    assert str(failure.value) == "A value is missing for this action: ends_on."
    assert_nothing_stored(recommended, mark)


# The other doors raise the same classes


def test_a_meeting_that_does_not_exist_is_not_found(secretary):
    with pytest.raises(MeetingNotFound) as failure:
        council.open_meeting(meeting_id=10**6, person=secretary)

    assert failure.value.http_status == 404
    assert not AuditEvent.objects.exists()


def test_a_decision_that_does_not_exist_is_not_found(principal):
    with pytest.raises(DecisionNotFound) as failure:
        decisions.remove_from_draft(decision_id=10**6, dossier_id=1, person=principal)

    assert failure.value.http_status == 404
    assert not AuditEvent.objects.exists()


def test_a_public_notice_that_does_not_exist_is_not_found(staff_a):
    with pytest.raises(NoticeNotFound) as failure:
        notices.file_objection(notice_id=10**6, person=staff_a, text="Không đúng sự thật.")

    assert failure.value.http_status == 404
    assert not AuditEvent.objects.exists()


def test_a_ballot_before_the_vote_opens_is_refused_as_a_conflict(period, unit_a, council_member):
    dossier = dossier_in(S.REVIEWED, period, unit_a)
    secretary = Cast(period.institution).secretary
    meeting = council.create_meeting(
        person=secretary, period=period, title="Phiên họp", held_on=timezone.now(),
        place="Phòng họp A", chair=secretary,
    )  # fmt: skip
    council.set_agenda(meeting_id=meeting.pk, person=secretary, dossier_ids=[dossier.pk])
    mark = audit_mark()

    with pytest.raises(BallotRefused) as failure:
        council.cast_ballot(meeting_id=meeting.pk, person=council_member, choices={})

    assert meaning(failure.value) == MEANING[BallotRefused]
    assert not events_after(mark).exists()


def test_a_signing_device_failure_is_a_signing_error_that_signs_numbers_and_moves_nothing(
    period, unit_a, principal
):
    dossier = dossier_in(S.RECOMMENDED, period, unit_a)
    draft = decisions.prepare_decision(
        person=principal, award_type=dossier.award_type, dossier_ids=[dossier.pk]
    )
    own_certificate(principal)
    events = set(AuditEvent.objects.values_list("pk", flat=True))
    mark = audit_mark()

    with (
        mock.patch.object(decisions, "render_pdf", return_value=(b"%PDF-1.4\n", "key")),
        mock.patch.object(decisions, "sign_pdf", side_effect=SigningFailed("token removed")),
        pytest.raises(SigningError) as failure,
    ):
        decisions.sign_decision(decision_id=draft.pk, person=principal)

    assert meaning(failure.value) == MEANING[SigningError]
    draft.refresh_from_db()
    assert (draft.state, draft.number) == (Decision.State.DRAFT, None)
    assert not DecisionCounter.objects.filter(last_number__gt=0).exists()
    new = AuditEvent.objects.exclude(pk__in=events)
    assert list(new.values_list("action", flat=True)) == ["decision.signing_failed"]
    assert_nothing_stored_on(dossier, mark)


def assert_nothing_stored_on(dossier: Dossier, mark: int) -> None:
    before = (dossier.state, dossier.version)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == before
    assert not events_after(mark).filter(object_type="dossier").exists()
