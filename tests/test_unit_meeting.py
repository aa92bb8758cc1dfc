"""Recording a unit's evaluation meeting (họp bình xét): the meeting is stored, its minutes go into
each nominee's dossier the unit head may still edit, and bad input stores nothing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from audit.models import AuditEvent
from dossiers import services as dossier_services
from dossiers.models import Document, Period, State
from evaluation import selectors, services
from evaluation.models import Attendance, Evaluation, UnitMeeting
from tests.conftest import make_dossier, make_person, make_unit
from tests.factories import act, audit_mark, dossier_in, events_after, upload
from workflow.errors import NotPermitted, StaleVersion, UnitMeetingNotFound

HELD_ON = timezone.make_aware(datetime.datetime(2026, 5, 20, 8, 0))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def in_english():
    """The refusals are matched by their English text."""
    with translation.override("en"):
        yield


def stored_files(media) -> set[Path]:
    return {p for p in Path(media).rglob("*") if p.is_file()}


def without_minutes(period, unit, **kwargs):
    """A draft with every required document but the unit's minutes."""
    dossier = make_dossier(period, unit, documents=False, **kwargs)
    for kind in dossier.award_type.required_document_kinds.exclude(code="unit_minutes"):
        dossier.refresh_from_db()
        dossier_services.add_document(
            dossier_id=dossier.pk, person=dossier.created_by, expected_version=dossier.version,
            kind=kind, upload=upload(f"{kind.code}.pdf"),
        )  # fmt: skip
    dossier.refresh_from_db()
    return dossier


def details(unit, dossiers, *, absent=(), chair=None, secretary=None, results=None, **changes):
    """What a head types in: every member present unless `absent`, each dossier agreed by show
    of hands unless `results` says otherwise."""
    members = selectors.unit_members(unit)
    chair = chair or members[0]
    fields = {
        "held_on": HELD_ON,
        "ended_at": datetime.time(10, 30),
        "place": "Phòng họp Khoa Toán",
        "chair": chair,
        "secretary": secretary or chair,
        "attendance": [
            services.Presence(m, m not in absent, "Đi công tác" if m in absent else "")
            for m in members
        ],
        "results": results
        if results is not None
        else [services.Result(d, unanimous=True) for d in dossiers],
        "content": "",
    }
    return {**fields, **changes}


def record(head, unit, period, dossiers, **kwargs):
    return services.record_meeting(
        person=head, unit=unit, period=period, **details(unit, dossiers, **kwargs)
    )


@pytest.fixture
def nominees(period, unit_a, head_a):
    return [without_minutes(period, unit_a), without_minutes(period, unit_a)]


def minutes_of(dossier):
    return [
        d for d in Document.objects.filter(dossier=dossier, superseded_at__isnull=True)
        if d.kind.code == "unit_minutes"
    ]  # fmt: skip


# Recording


def test_recording_stores_the_meeting_its_attendance_and_each_result(
    head_a, unit_a, period, nominees
):
    recorded = record(head_a, unit_a, period, nominees)

    meeting = UnitMeeting.objects.get()
    assert meeting == recorded.meeting
    assert meeting.present_count == meeting.membership_total == len(selectors.unit_members(unit_a))
    assert Attendance.objects.filter(meeting=meeting).count() == meeting.membership_total
    assert [e.dossier for e in Evaluation.objects.filter(meeting=meeting)] == nominees


def test_recording_attaches_the_minutes_to_each_nominees_dossier_as_the_unit_minutes(
    head_a, unit_a, period, nominees
):
    recorded = record(head_a, unit_a, period, nominees)

    assert recorded.attached == nominees and recorded.not_updated == []
    for dossier in nominees:
        (document,) = minutes_of(dossier)
        assert document.content_type == "application/pdf"
        with document.file.open("rb") as file:
            assert file.read(5) == b"%PDF-"
        assert len(document.sha256) == 64


def test_recording_writes_the_meetings_event_and_each_dossiers_document_event(
    head_a, unit_a, period, nominees
):
    mark = audit_mark()

    recorded = record(head_a, unit_a, period, nominees)

    events = list(events_after(mark))
    meeting_events = [e for e in events if e.object_type == "unit_meeting"]
    assert [(e.action, e.object_id, e.role) for e in meeting_events] == [
        ("unit_meeting.recorded", str(recorded.meeting.pk), "unit_head")
    ]
    assert meeting_events[0].payload["attached"] == [d.pk for d in nominees]
    added = [e.object_id for e in events if e.action == "dossier.document_added"]
    assert added == [str(d.pk) for d in nominees]


def test_the_submit_guard_finds_the_unit_minutes_once_the_meeting_is_recorded(
    head_a, unit_a, period
):
    dossier = without_minutes(period, unit_a)
    record(head_a, unit_a, period, [dossier])

    submitted = act(dossier, "submit", head_a)

    assert submitted.state == State.SUBMITTED


def test_a_dossier_no_longer_editable_keeps_its_documents_and_is_reported(head_a, unit_a, period):
    editable = without_minutes(period, unit_a)
    submitted = dossier_in(State.SUBMITTED, period, unit_a)
    documents_before = set(Document.objects.filter(dossier=submitted).values_list("pk", flat=True))

    recorded = record(head_a, unit_a, period, [editable, submitted])

    assert recorded.attached == [editable]
    assert recorded.not_updated == [submitted]
    assert set(Document.objects.filter(dossier=submitted).values_list("pk", flat=True)) == (
        documents_before
    )


def test_recorded_votes_are_kept_per_nominee(head_a, unit_a, period, nominees):
    results = [
        services.Result(nominees[0], agree=2, disagree=0, note="Xứng đáng"),
        services.Result(nominees[1], unanimous=True),
    ]

    record(head_a, unit_a, period, nominees, results=results)

    first, second = Evaluation.objects.order_by("position")
    assert (first.unanimous, first.agree, first.disagree, first.note) == (False, 2, 0, "Xứng đáng")
    assert (second.unanimous, second.agree, second.disagree) == (True, None, None)


# Refusals: nothing stored, no event, no file


@pytest.fixture
def untouched(media):
    """Asserts after the test's refusal that no meeting, event or file appeared."""
    mark, files = audit_mark(), stored_files(media)
    documents = Document.objects.count()
    yield
    assert UnitMeeting.objects.count() == 0
    assert Attendance.objects.count() == Evaluation.objects.count() == 0
    assert Document.objects.count() == documents
    assert list(events_after(mark)) == []
    assert stored_files(media) == files


def test_votes_over_the_members_present_are_refused(head_a, unit_a, period, nominees, untouched):
    present = len(selectors.unit_members(unit_a))
    results = [services.Result(nominees[0], agree=present, disagree=1)]

    with pytest.raises(ValidationError, match="more than"):
        record(head_a, unit_a, period, nominees, results=results)


@pytest.fixture
def theirs(period, unit_b):
    return make_dossier(period, unit_b, documents=False)


def test_a_dossier_of_another_unit_is_refused(head_a, unit_a, period, nominees, theirs, untouched):
    with pytest.raises(ValidationError, match="not one of the unit"):
        record(head_a, unit_a, period, [nominees[0], theirs])


@pytest.fixture
def last_years(institution, unit_a, head_a):
    last_year = Period.objects.create(
        institution=institution, name="Năm 2025", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
    )  # fmt: skip
    return make_dossier(last_year, unit_a, documents=False)


def test_a_dossier_of_another_period_is_refused(head_a, unit_a, period, last_years, untouched):
    with pytest.raises(ValidationError, match="another period"):
        record(head_a, unit_a, period, [last_years])


def test_an_absent_chair_is_refused(head_a, unit_a, period, nominees, untouched):
    with pytest.raises(ValidationError, match="chair must be among"):
        record(head_a, unit_a, period, nominees, chair=head_a, absent=[head_a])


def test_an_empty_nominee_list_is_refused(head_a, unit_a, period, nominees, untouched):
    with pytest.raises(ValidationError, match="at least one nominee"):
        record(head_a, unit_a, period, nominees, results=[])


def test_an_attendance_leaving_out_a_member_is_refused(head_a, unit_a, period, nominees, untouched):
    fields = details(unit_a, nominees)
    fields["attendance"] = fields["attendance"][:-1]

    with pytest.raises(ValidationError, match="every member of the unit"):
        services.record_meeting(person=head_a, unit=unit_a, period=period, **fields)


def test_a_nominee_given_both_votes_and_unanimity_is_refused(
    head_a, unit_a, period, nominees, untouched
):
    results = [services.Result(nominees[0], unanimous=True, agree=1, disagree=0)]

    with pytest.raises(ValidationError, match="either the votes"):
        record(head_a, unit_a, period, nominees, results=results)


def test_a_nominee_without_votes_or_unanimity_is_refused(
    head_a, unit_a, period, nominees, untouched
):
    with pytest.raises(ValidationError, match="votes for and against"):
        record(head_a, unit_a, period, nominees, results=[services.Result(nominees[0])])


def test_a_person_of_another_institution_is_refused(
    head_a, unit_a, period, nominees, other_institution, untouched
):
    stranger = make_person(other_institution, make_unit(other_institution, "khoa-x", "Khoa X"))
    fields = details(unit_a, nominees)
    fields["attendance"].append(services.Presence(stranger, True))

    with pytest.raises(ValidationError, match="another institution"):
        services.record_meeting(person=head_a, unit=unit_a, period=period, **fields)


def test_a_chair_of_another_institution_is_refused(
    head_a, unit_a, period, nominees, other_institution, untouched
):
    stranger = make_person(other_institution, make_unit(other_institution, "khoa-x", "Khoa X"))

    with pytest.raises(ValidationError, match="another institution"):
        record(head_a, unit_a, period, nominees, chair=stranger)


def test_the_head_of_another_unit_may_not_record_the_meeting(
    head_b, unit_a, period, nominees, untouched
):
    with pytest.raises(NotPermitted):
        record(head_b, unit_a, period, nominees)


def test_a_reviewer_may_not_record_the_meeting(reviewer, unit_a, period, nominees, untouched):
    with pytest.raises(NotPermitted):
        record(reviewer, unit_a, period, nominees)


def test_a_failure_to_store_the_minutes_stores_nothing(
    head_a, unit_a, period, nominees, settings, tmp_path
):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked / "media"
    mark = audit_mark()

    with pytest.raises(OSError):
        record(head_a, unit_a, period, nominees)

    assert UnitMeeting.objects.count() == 0
    assert list(events_after(mark)) == []
    assert all(minutes_of(d) == [] for d in nominees)


# Editing


def test_editing_supersedes_the_earlier_minutes_with_new_ones(head_a, unit_a, period, nominees):
    recorded = record(head_a, unit_a, period, nominees)
    act(nominees[0], "submit", head_a)
    from tests.factories import Cast

    act(nominees[0], "return_for_revision", Cast(unit_a.institution).reviewer, reason="Bổ sung")
    (before,) = minutes_of(nominees[0])
    mark = audit_mark()

    services.edit_meeting(
        meeting_id=recorded.meeting.pk, person=head_a, expected_version=1,
        **details(unit_a, nominees, place="Hội trường A"),
    )  # fmt: skip

    before.refresh_from_db()
    (after,) = minutes_of(nominees[0])
    assert before.is_superseded and before.replaced_by == after
    assert UnitMeeting.objects.get().place == "Hội trường A"
    actions = [e.action for e in events_after(mark)]
    assert "dossier.document_superseded" in actions
    assert actions[-1] == "unit_meeting.edited"


def test_editing_a_draft_replaces_its_minutes_keeping_one(head_a, unit_a, period, nominees):
    recorded = record(head_a, unit_a, period, nominees)

    services.edit_meeting(
        meeting_id=recorded.meeting.pk, person=head_a, expected_version=1,
        **details(unit_a, nominees, place="Hội trường A"),
    )  # fmt: skip

    for dossier in nominees:
        assert len(minutes_of(dossier)) == 1
    assert UnitMeeting.objects.get().version == 2


def test_a_dossier_taken_off_the_meeting_loses_its_minutes(head_a, unit_a, period, nominees):
    recorded = record(head_a, unit_a, period, nominees)

    services.edit_meeting(
        meeting_id=recorded.meeting.pk, person=head_a, expected_version=1,
        **details(unit_a, nominees[:1]),
    )  # fmt: skip

    assert len(minutes_of(nominees[0])) == 1
    assert minutes_of(nominees[1]) == []


def test_editing_with_a_stale_version_changes_nothing(head_a, unit_a, period, nominees):
    recorded = record(head_a, unit_a, period, nominees)
    mark = audit_mark()

    with pytest.raises(StaleVersion):
        services.edit_meeting(
            meeting_id=recorded.meeting.pk, person=head_a, expected_version=7,
            **details(unit_a, nominees, place="Hội trường A"),
        )  # fmt: skip

    assert UnitMeeting.objects.get().place == "Phòng họp Khoa Toán"
    assert list(events_after(mark)) == []


def test_the_head_of_another_unit_cannot_edit_the_meeting(head_a, head_b, unit_a, period, nominees):
    recorded = record(head_a, unit_a, period, nominees)

    with pytest.raises(UnitMeetingNotFound):
        services.edit_meeting(
            meeting_id=recorded.meeting.pk, person=head_b, expected_version=1,
            **details(unit_a, nominees),
        )  # fmt: skip


def test_a_dossier_evaluated_at_one_meeting_is_refused_at_another(head_a, unit_a, period, nominees):
    record(head_a, unit_a, period, nominees)

    with pytest.raises(ValidationError, match="already evaluated"):
        record(head_a, unit_a, period, nominees[:1])

    assert UnitMeeting.objects.count() == 1


def test_the_meetings_time_is_kept(head_a, unit_a, period, nominees):
    record(head_a, unit_a, period, nominees)

    assert timezone.localtime(UnitMeeting.objects.get().held_on) == timezone.localtime(HELD_ON)
    assert AuditEvent.objects.filter(action="unit_meeting.recorded").count() == 1


def test_a_failure_at_the_second_dossier_removes_the_first_dossiers_new_file(
    head_a, unit_a, period, nominees, media
):
    # Where the second dossier's files go, a file: its minutes cannot be stored.
    folder = Path(media) / "documents" / str(unit_a.institution_id)
    folder.mkdir(parents=True, exist_ok=True)
    blocker = folder / str(nominees[1].pk)
    for existing in blocker.glob("*"):
        existing.unlink()
    if blocker.exists():
        blocker.rmdir()
    blocker.write_text("not a folder")
    files, mark = stored_files(media), audit_mark()

    with pytest.raises(OSError):
        record(head_a, unit_a, period, nominees)

    assert stored_files(media) == files
    assert UnitMeeting.objects.count() == 0
    assert list(events_after(mark)) == []
    assert minutes_of(nominees[0]) == []
