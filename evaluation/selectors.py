"""Reads of unit evaluation meetings that the pages and the minutes share, joins done once.

A unit head sees their own units' meetings; officers who see every dossier see every meeting of
the institution (read-only); anyone else sees none, and a guessed address answers 404.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from dossiers.models import Dossier, Period, Person, State, Unit
from evaluation.models import Attendance, Evaluation, UnitMeeting
from workflow import permissions

EVALUATION_JOINS = ("dossier__award_type", "dossier__nominee_person", "dossier__nominee_unit",
                    "document")  # fmt: skip
# Dossiers a meeting may evaluate: every open one (withdrawn or declined ones are closed).
CLOSED = (State.WITHDRAWN, State.DECLINED)


def led_units(person: Person | None) -> list[Unit]:
    """The units whose meetings the person records (as their head, or on a head's behalf)."""
    ids = permissions.units_where(person, "unit_meeting.record")
    if not ids:
        return []
    return list(Unit.objects.filter(pk__in=ids, institution_id=person.institution_id))


def filter_units(person: Person | None) -> list[Unit]:
    """The units whose meetings the person may list: every unit for officers, else their own."""
    if person is None:
        return []
    if permissions.may(person, "dossier.view_all"):
        return list(Unit.objects.of(person.institution_id))
    return led_units(person)


def visible_meetings(person: Person | None) -> QuerySet[UnitMeeting]:
    if person is None:
        return UnitMeeting.objects.none()
    scope = UnitMeeting.objects.of(person.institution_id)
    if permissions.may(person, "dossier.view_all"):
        return scope
    return scope.filter(unit_id__in=permissions.units_where(person, "unit_meeting.record"))


def meeting_list(person: Person | None, *, unit_id=None, period_id=None) -> QuerySet[UnitMeeting]:
    meetings = visible_meetings(person).select_related("unit", "period", "chair")
    if unit_id:
        meetings = meetings.filter(unit_id=unit_id)
    if period_id:
        meetings = meetings.filter(period_id=period_id)
    return meetings


def meeting_detail(person: Person | None, pk: int) -> UnitMeeting | None:
    return _with_rows(visible_meetings(person)).filter(pk=pk).first()


def meeting_for_minutes(pk: int) -> UnitMeeting:
    return _with_rows(UnitMeeting.objects.all()).get(pk=pk)


def _with_rows(meetings: QuerySet[UnitMeeting]) -> QuerySet[UnitMeeting]:
    return meetings.select_related(
        "institution", "unit", "period", "chair", "secretary", "recorded_by"
    ).prefetch_related(
        Prefetch("attendances", Attendance.objects.select_related("person")),
        Prefetch("evaluations", Evaluation.objects.select_related(*EVALUATION_JOINS)),
    )


def may_record(person: Person | None, unit: Unit) -> bool:
    return permissions.may(person, "unit_meeting.record", unit) is not None


def unit_members(unit: Unit, meeting: UnitMeeting | None = None) -> list[Person]:
    """The unit's active members, and those a recorded meeting listed who have since left."""
    condition = Q(unit=unit, is_active=True)
    if meeting is not None:
        condition |= Q(pk__in=meeting.attendances.values("person_id"))
    return list(Person.objects.of(unit.institution_id).filter(condition).order_by("full_name"))


def nominee_dossiers(unit: Unit, period: Period, meeting: UnitMeeting | None = None):
    """The unit's open dossiers of the period (and those the meeting already evaluated)."""
    condition = Q(unit=unit, period=period) & ~Q(state__in=CLOSED)
    if meeting is not None:
        condition |= Q(pk__in=meeting.evaluations.values("dossier_id"))
    return list(
        Dossier.objects.of(unit.institution_id)
        .filter(condition)
        .select_related("award_type", "nominee_person", "nominee_unit")
        .order_by("award_type__name_vi", "pk")
    )
