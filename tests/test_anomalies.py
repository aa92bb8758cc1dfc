"""Anomaly hints: each rule finds its planted case and not the clean ones, in constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit import log
from audit.models import AuditEvent
from auditing import anomalies
from auditing.integrity_views import _dossier_url
from auditing.models import AnomalyRules
from council import services as council
from council.models import AgendaItem
from dossiers.models import Dossier, Role, State
from tests import factories
from tests.conftest import make_dossier, make_person
from tests.factories import Cast, dossier_in, dossiers_in, login
from workflow import services

WORKDAY = datetime.date(2026, 3, 2)  # a Monday
SATURDAY = datetime.date(2026, 3, 7)


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of the institution's local time (Asia/Ho_Chi_Minh by default)."""
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone()
    )


@pytest.fixture
def clock(monkeypatch):
    """Set the time events are recorded at: the trail's rows cannot be edited afterwards."""

    def set_to(moment: datetime.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_to(local(WORKDAY, 9))
    return set_to


def record(dossier_or_meeting, action: str, person=None, *, on_behalf_of=None, payload=None):
    """Append an event as the services do, for steps a test does not take through them."""
    object_type = "meeting" if action.startswith("ballot.") else "dossier"
    actor = log.Actor(person=person, role="unit_head", on_behalf_of=on_behalf_of)
    with transaction.atomic():
        return log.append(
            institution=dossier_or_meeting.institution, actor=actor if person else log.SYSTEM,
            action=action, object_type=object_type, object_id=dossier_or_meeting.pk,
            payload=payload,
        )  # fmt: skip


def act(dossier, action: str, person, **kwargs):
    dossier.refresh_from_db()
    return services.transition(
        dossier_id=dossier.pk, action=action, person=person, expected_version=dossier.version,
        **kwargs,
    )  # fmt: skip


def sign(dossier, principal):
    """The principal signs a decision naming the dossier (prepared by the council's secretary)."""
    return factories.sign(dossier, principal)


def agenda_item(dossier) -> AgendaItem:
    """The item of the (open) meeting that has the dossier on its agenda."""
    return AgendaItem.objects.select_related("meeting").get(dossier=dossier)


def hinted(rule, institution) -> list:
    return [hint.dossier for hint in rule(institution, AnomalyRules.of(institution))]


def set_rules(institution, **thresholds) -> None:
    AnomalyRules.objects.update_or_create(institution=institution, defaults=thresholds)


# Signed faster than the minimum time


@pytest.fixture
def submitted_monday(clock, period, unit_a, head_a):
    return dossier_in(State.RECOMMENDED, period, unit_a)  # submitted at 9:00 on the Monday


def test_a_dossier_signed_a_day_after_its_submission_is_a_hint(
    clock, institution, submitted_monday, principal
):
    clock(local(WORKDAY + datetime.timedelta(days=1), 10))
    sign(submitted_monday, principal)

    assert hinted(anomalies.signed_quickly, institution) == [submitted_monday]


def test_a_dossier_signed_four_days_after_its_submission_is_no_hint(
    clock, institution, submitted_monday, principal
):
    clock(local(WORKDAY + datetime.timedelta(days=4), 10))
    sign(submitted_monday, principal)

    assert hinted(anomalies.signed_quickly, institution) == []


def test_the_time_to_signing_counts_from_the_first_submission(
    clock, institution, submitted_monday, head_a, principal
):
    clock(local(WORKDAY + datetime.timedelta(days=5), 9))
    record(submitted_monday, "dossier.returned", head_a)
    record(submitted_monday, "dossier.submitted", head_a)  # again, after revision
    clock(local(WORKDAY + datetime.timedelta(days=5), 15))
    sign(submitted_monday, principal)

    assert hinted(anomalies.signed_quickly, institution) == []


def test_a_dossier_not_signed_yet_is_no_hint(institution, submitted_monday):
    assert hinted(anomalies.signed_quickly, institution) == []


def test_a_shorter_minimum_time_removes_the_hint(clock, institution, submitted_monday, principal):
    clock(local(WORKDAY + datetime.timedelta(days=1), 10))
    sign(submitted_monday, principal)

    set_rules(institution, min_days_submit_to_sign=1)

    assert hinted(anomalies.signed_quickly, institution) == []


def test_the_signing_hint_says_how_fast_and_the_minimum(
    clock, institution, submitted_monday, principal
):
    clock(local(WORKDAY + datetime.timedelta(days=1), 10))
    sign(submitted_monday, principal)

    with translation.override("en"):
        [hint] = anomalies.signed_quickly(institution, AnomalyRules.of(institution))

    assert hint.explanation == (
        "Signed 1\xa0day, 1\xa0hour after it was first submitted; the minimum is 3 days."
    )


# Returned many times


def returned(dossier, times: int, head, reviewer):
    act(dossier, "submit", head)
    for n in range(times):
        act(dossier, "return_for_revision", reviewer, reason=f"Thiếu minh chứng lần {n + 1}")
        act(dossier, "resubmit", head)


def test_a_dossier_returned_three_times_is_a_hint(institution, period, unit_a, head_a, reviewer):
    dossier = make_dossier(period, unit_a)
    returned(dossier, 3, head_a, reviewer)

    assert hinted(anomalies.returned_often, institution) == [dossier]


def test_a_dossier_returned_twice_is_no_hint(institution, period, unit_a, head_a, reviewer):
    returned(make_dossier(period, unit_a), 2, head_a, reviewer)

    assert hinted(anomalies.returned_often, institution) == []


def test_a_higher_limit_of_returns_removes_the_hint(institution, period, unit_a, head_a, reviewer):
    returned(make_dossier(period, unit_a), 3, head_a, reviewer)

    set_rules(institution, max_returns=3)

    assert hinted(anomalies.returned_often, institution) == []


# Outside working hours


def sequences(institution) -> list[int]:
    rule = anomalies.outside_working_hours
    return sorted(h.sequence for h in rule(institution, AnomalyRules.of(institution)))


@pytest.fixture
def draft(period, unit_a):
    return make_dossier(period, unit_a)


@pytest.mark.parametrize(
    "moment",
    [local(SATURDAY, 10), local(WORKDAY, 6, 59), local(WORKDAY, 17, 30), local(WORKDAY, 23)],
    ids=["saturday", "before-seven", "at-half-past-five", "at-night"],
)
def test_an_action_outside_working_hours_is_a_hint(clock, institution, draft, head_a, moment):
    clock(moment)
    act(draft, "submit", head_a)

    assert sequences(institution) == [AuditEvent.objects.get(action="dossier.submitted").sequence]


@pytest.mark.parametrize(
    "moment", [local(WORKDAY, 7), local(WORKDAY, 12), local(WORKDAY, 17, 29)],
    ids=["at-seven", "at-noon", "at-17-29"],
)  # fmt: skip
def test_an_action_during_working_hours_is_no_hint(clock, institution, draft, head_a, moment):
    clock(moment)
    act(draft, "submit", head_a)

    assert sequences(institution) == []


def test_the_systems_own_events_at_night_are_no_hint(clock, institution, draft):
    clock(local(WORKDAY, 23))
    record(draft, "dossier.edited")

    assert sequences(institution) == []


def test_a_longer_working_day_removes_the_evening_hint(clock, institution, draft, head_a):
    clock(local(WORKDAY, 19))
    act(draft, "submit", head_a)

    set_rules(institution, workday_end=datetime.time(20, 0))

    assert sequences(institution) == []


def test_a_working_saturday_removes_the_weekend_hint(clock, institution, draft, head_a):
    clock(local(SATURDAY, 10))
    act(draft, "submit", head_a)

    set_rules(institution, weekend_days=[7])

    assert sequences(institution) == []


def test_an_action_outside_working_hours_on_another_object_is_a_hint_without_a_dossier(
    clock, institution, period, unit_a, council_member
):
    cast = Cast(institution)
    meeting = council.create_meeting(
        person=cast.secretary, period=period, title="Phiên họp", held_on=timezone.now(),
        place="Phòng họp A", chair=cast.principal,
    )  # fmt: skip
    clock(local(WORKDAY, 22))
    event = record(meeting, "ballot.cast", council_member)

    [hint] = anomalies.outside_working_hours(institution, AnomalyRules.of(institution))

    assert (hint.dossier, hint.sequence) == (None, event.sequence)


# Acting on one's own nomination


def test_a_unit_head_submitting_their_own_nomination_is_a_hint(institution, period, unit_a, head_a):
    dossier = make_dossier(period, unit_a, nominee=head_a)
    act(dossier, "submit", head_a)

    [hint] = anomalies.own_nomination(institution, AnomalyRules.of(institution))

    assert hint.dossier == dossier
    assert head_a.full_name in hint.explanation


def test_a_unit_head_submitting_someone_elses_nomination_is_no_hint(
    institution, period, unit_a, head_a
):
    act(make_dossier(period, unit_a), "submit", head_a)

    assert hinted(anomalies.own_nomination, institution) == []


def test_acting_on_behalf_of_the_nominee_is_a_hint(
    clock, institution, period, unit_a, head_a, staff_a
):
    # The unit's deputy head drafts it: the head, the nominee, has not acted on it themselves.
    deputy = make_person(institution, unit_a, roles=[Role.UNIT_HEAD])
    dossier = factories.draft(period, unit_a, nominee=head_a, by=deputy)
    record(dossier, "dossier.submitted", staff_a, on_behalf_of=head_a)

    [hint] = anomalies.own_nomination(institution, AnomalyRules.of(institution))

    assert hint.dossier == dossier
    assert staff_a.full_name in hint.explanation


@pytest.fixture
def recusal_only_warns(institution):
    """The institution's separation-of-duties rule set to warn: a nominee may still vote."""
    from workflow import separation

    separation.save_rule(institution=institution, rule=separation.COUNCIL_RECUSAL, mode="warn",
                         basis="", actor=log.SYSTEM)  # fmt: skip


def test_a_member_voting_in_the_meeting_that_decides_their_own_dossier_is_a_hint(
    institution, period, unit_b, council_member, recusal_only_warns
):
    dossier = dossier_in(State.VOTING, period, unit_b, nominee=council_member)
    item = agenda_item(dossier)
    council.cast_ballot(
        meeting_id=item.meeting_id, person=council_member, choices={item.pk: "agree"}
    )

    assert hinted(anomalies.own_nomination, institution) == [dossier]


def test_a_written_opinion_of_the_nominee_on_their_own_dossier_is_a_hint(
    institution, period, unit_b, council_member, secretary, principal, recusal_only_warns
):
    dossier = dossier_in(State.REVIEWED, period, unit_b, nominee=council_member)
    Cast(institution).council()
    meeting = council.create_meeting(
        person=secretary, period=period, title="Phiên họp xét thi đua",
        held_on=timezone.now(), place="Phòng họp A", chair=principal,
    )  # fmt: skip
    council.set_agenda(meeting_id=meeting.pk, person=secretary, dossier_ids=[dossier.pk])
    council.record_attendance(
        meeting_id=meeting.pk, person=secretary, attendance={council_member.pk: "absent"}
    )
    council.open_meeting(meeting_id=meeting.pk, person=secretary)
    item = agenda_item(dossier)
    council.record_written_ballot(
        meeting_id=item.meeting_id,
        person=secretary,
        member_id=council_member.pk,
        choices={item.pk: "agree"},
        opinion=factories.upload("y-kien.pdf"),
    )

    assert hinted(anomalies.own_nomination, institution) == [dossier]


def test_other_members_votes_are_no_hint(institution, period, unit_b, council_member, secretary):
    dossier = dossier_in(State.VOTING, period, unit_b, nominee=council_member)
    item = agenda_item(dossier)
    council.cast_ballot(meeting_id=item.meeting_id, person=secretary, choices={item.pk: "agree"})

    assert hinted(anomalies.own_nomination, institution) == []


def test_the_nominees_vote_in_a_meeting_without_their_dossier_is_no_hint(
    institution, period, unit_a, unit_b, council_member
):
    dossier_in(State.REVIEWED, period, unit_b, nominee=council_member)
    other = agenda_item(dossier_in(State.VOTING, period, unit_a))
    council.cast_ballot(meeting_id=other.meeting_id, person=council_member,
                        choices={other.pk: "agree"})  # fmt: skip

    assert hinted(anomalies.own_nomination, institution) == []


# Thresholds are data


def test_without_rules_of_its_own_an_institution_gets_the_defaults(institution):
    rules = AnomalyRules.of(institution)

    assert (rules.min_days_submit_to_sign, rules.max_returns) == (3, 2)
    assert (rules.workday_start, rules.workday_end) == (datetime.time(7), datetime.time(17, 30))
    assert rules.weekend_days == [6, 7]
    assert rules.pk is None  # reading the defaults stores nothing


def test_changing_the_rules_in_the_admin_is_audited(institution, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw")
    client = login(admin)

    response = client.post(
        reverse("admin:auditing_anomalyrules_add"),
        {"institution": institution.pk, "min_days_submit_to_sign": 5, "max_returns": 2,
         "workday_start": "07:00", "workday_end": "17:30", "weekend_days": ["7"]},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:3000]
    rules = AnomalyRules.objects.get(institution=institution)
    assert (rules.min_days_submit_to_sign, rules.weekend_days) == (5, [7])
    event = AuditEvent.objects.get(action="anomaly_rules.changed")
    assert event.payload["after"]["min_days_submit_to_sign"] == 5


# Constant queries, and the page


def plant_every_case(clock, period, unit, principal, reviewer, count: int = 1) -> None:
    """`count` dossiers that every rule hints at (recommended by one meeting)."""
    nominees = [
        make_person(unit.institution, unit, roles=[Role.COUNCIL_MEMBER]) for _ in range(count)
    ]
    for nominee, dossier in zip(
        nominees, dossiers_in(State.RECOMMENDED, period, unit, nominees=nominees), strict=True
    ):
        clock(local(WORKDAY, 9))
        record(dossier, "dossier.submitted", nominee)
        for _ in range(3):
            record(dossier, "dossier.returned", reviewer)
        clock(local(WORKDAY, 22))
        record(agenda_item(dossier).meeting, "ballot.cast", nominee)  # the meeting deciding it
        record(dossier, "dossier.signed", principal)
        record(dossier, "separation.warning_recorded", reviewer,
               payload={"rule": "own_case_review", "action": "approve"})  # fmt: skip


def queries_of_all_hints(institution) -> int:
    with CaptureQueriesContext(connection) as queries:
        found = anomalies.all_hints(institution)[1]
    assert all(hints for _, hints in found)
    return len(queries)


def test_the_hints_take_as_many_queries_for_50_dossiers_as_for_5(
    clock, institution, period, unit_a, principal, reviewer
):
    plant_every_case(clock, period, unit_a, principal, reviewer, count=5)
    with_5 = queries_of_all_hints(institution)
    plant_every_case(clock, period, unit_a, principal, reviewer, count=45)

    assert queries_of_all_hints(institution) == with_5


def test_the_page_lists_each_hint_with_a_link_to_the_dossier(
    clock, institution, period, unit_a, principal, reviewer, auditor
):
    plant_every_case(clock, period, unit_a, principal, reviewer)
    client = login(auditor)

    response = client.get(reverse("anomaly_hints"))

    assert response.status_code == 200
    assert response.content.decode().count(f'href="{_dossier_url(Dossier.objects.get())}"') >= 4


def test_a_principal_may_read_the_hints(principal):
    client = login(principal)

    assert client.get(reverse("anomaly_hints")).status_code == 200
