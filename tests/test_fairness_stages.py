"""Time spent in each stage, from the trail: median and 90th percentile of finished stays."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dossiers.models import Period, State
from fairness import stages
from tests.factories import Cast, act, dossier_in, draft

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def clock(monkeypatch):
    """Set the time events are recorded at: the trail's rows cannot be edited afterwards."""

    def set_to(moment: datetime.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_to(T0)
    return set_to


def by_state(rows) -> dict[str, tuple[int, float, float]]:
    return {r.state: (r.stays, r.median_days, r.p90_days) for r in rows}


def test_a_stay_runs_from_entering_a_state_to_leaving_it():
    events = [
        ("1", T0, "", "draft"),
        ("1", T0 + 2 * DAY, "draft", "submitted"),
        ("1", T0 + 5 * DAY, "submitted", "returned"),
    ]

    assert stages.stays(events) == {"draft": [2 * DAY], "submitted": [3 * DAY]}


def test_a_dossier_still_in_a_state_has_no_stay_there():
    events = [("1", T0, "", "draft"), ("1", T0 + DAY, "draft", "submitted")]

    assert "submitted" not in stages.stays(events)


def test_an_event_that_changes_no_state_does_not_end_a_stay():
    events = [
        ("1", T0, "", "draft"),
        ("1", T0 + DAY, "draft", "draft"),  # a document added
        ("1", T0 + 3 * DAY, "draft", "submitted"),
    ]

    assert stages.stays(events) == {"draft": [3 * DAY]}


def test_each_dossier_has_its_own_stays():
    events = [
        ("1", T0, "", "draft"),
        ("1", T0 + DAY, "draft", "submitted"),
        ("2", T0 + 4 * DAY, "", "draft"),
        ("2", T0 + 10 * DAY, "draft", "submitted"),
    ]

    assert stages.stays(events) == {"draft": [DAY, 6 * DAY]}


@pytest.mark.parametrize(
    ("values", "expected"),
    [([5.0], 5.0), ([1.0, 2.0], 2.0), ([float(n) for n in range(1, 11)], 9.0),
     ([float(n) for n in range(1, 12)], 10.0), ([1.0, 2.0, 3.0, 4.0, 10.0], 10.0)],
)  # fmt: skip
def test_the_90th_percentile_is_the_nearest_rank(values, expected):
    assert stages.p90(values) == expected


def test_stage_times_of_the_period_from_the_trail(clock, institution, period, unit_a):
    cast = Cast(institution)
    head, reviewer = cast.head_of(unit_a), cast.reviewer
    dossiers = [draft(period, unit_a) for _n in range(5)]  # all created at T0
    for dossier, days in zip(dossiers, (1, 2, 3, 4, 10), strict=True):
        clock(T0 + days * DAY)
        act(dossier, "submit", head)
    clock(T0 + 1.5 * DAY)
    act(dossiers[0], "approve", reviewer)
    clock(T0 + 3.5 * DAY)
    act(dossiers[1], "return_for_revision", reviewer, reason="Thiếu minh chứng.")

    rows = stages.stage_times(institution.pk, period)

    assert by_state(rows) == {"draft": (5, 3.0, 10.0), "submitted": (2, 1.0, 1.5)}
    assert [r.state for r in rows] == ["draft", "submitted"]  # in the lifecycle's order


def test_stage_times_leave_out_other_periods_and_institutions(
    clock, institution, other_institution, period, unit_a
):
    from tests.conftest import make_unit

    earlier = Period.objects.create(
        institution=institution, name="Năm 2025", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
    )  # fmt: skip
    their_period = Period.objects.create(
        institution=other_institution, name="Năm 2026", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
    )  # fmt: skip
    ours = draft(period, unit_a)
    old = draft(earlier, unit_a)
    theirs = draft(their_period, make_unit(other_institution, "khoa-x", "Khoa X"))
    clock(T0 + 2 * DAY)
    act(ours, "submit", Cast(institution).head_of(unit_a))
    clock(T0 + 9 * DAY)
    act(old, "submit", Cast(institution).head_of(unit_a))
    act(theirs, "submit", Cast(other_institution).head_of(theirs.unit))

    assert by_state(stages.stage_times(institution.pk, period)) == {"draft": (1, 2.0, 2.0)}


def test_a_suspension_is_a_stage_of_its_own(clock, institution, period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    reviewer = Cast(institution).reviewer
    clock(T0 + DAY)
    act(dossier, "suspend", reviewer, reason="Đang xem xét khiếu nại.")
    clock(T0 + 8 * DAY)
    act(dossier, "resume", reviewer, reason="Khiếu nại đã giải quyết.")

    times = by_state(stages.stage_times(institution.pk, period))

    assert times["suspended"] == (1, 7.0, 7.0)
    assert times["submitted"] == (1, 1.0, 1.0)  # submitted at T0, suspended a day later
