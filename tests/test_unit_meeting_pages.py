"""The pages of a unit's evaluation meetings: who sees them, the form, and constant query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.models import Document
from evaluation import selectors
from evaluation.models import UnitMeeting
from tests.conftest import make_dossier, make_person
from tests.factories import audit_mark, events_after, login
from tests.test_unit_meeting import record, without_minutes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def nominees(period, unit_a, head_a):
    return [without_minutes(period, unit_a), without_minutes(period, unit_a)]


@pytest.fixture
def meeting(head_a, unit_a, period, nominees):
    return record(head_a, unit_a, period, nominees).meeting


def form_data(unit, dossiers, *, absent=(), votes=None, **fields) -> dict:
    """What the form posts: every member present unless `absent`, each dossier evaluated,
    agreed unanimously unless `votes` gives (agree, disagree)."""
    members = selectors.unit_members(unit)
    data = {
        "held_on": "20/05/2026", "starts_at": "08:00", "ended_at": "10:30",
        "place": "Phòng họp Khoa Toán", "chair": members[0].pk, "secretary": members[0].pk,
        "content": "",
        "attendance-TOTAL_FORMS": len(members), "attendance-INITIAL_FORMS": len(members),
        "nominees-TOTAL_FORMS": len(dossiers), "nominees-INITIAL_FORMS": len(dossiers),
    }  # fmt: skip
    for i, member in enumerate(members):
        data[f"attendance-{i}-person"] = member.pk
        if member not in absent:
            data[f"attendance-{i}-present"] = "on"
        else:
            data[f"attendance-{i}-absence_reason"] = "Ốm"
    for i, dossier in enumerate(dossiers):
        data[f"nominees-{i}-dossier"] = dossier.pk
        data[f"nominees-{i}-evaluated"] = "on"
        if votes is None:
            data[f"nominees-{i}-result"] = "unanimous"
        else:
            data[f"nominees-{i}-result"] = "votes"
            data[f"nominees-{i}-agree"], data[f"nominees-{i}-disagree"] = votes
    return {**data, **fields}


def create_url(unit, period):
    return f"{reverse('unit_meeting_create')}?unit={unit.pk}&period={period.pk}"


# The form


def test_the_form_offers_the_units_members_as_checkboxes_and_its_dossiers(
    head_a, unit_a, period, nominees
):
    response = login(head_a).get(create_url(unit_a, period))

    page = response.content.decode()
    assert response.status_code == 200
    for member in selectors.unit_members(unit_a):
        assert member.full_name in page
    assert page.count('type="checkbox" name="attendance-') == len(selectors.unit_members(unit_a))
    for dossier in nominees:
        assert f'name="nominees-{nominees.index(dossier)}-dossier" value="{dossier.pk}"' in page


def test_posting_the_form_records_the_meeting_and_attaches_the_minutes(
    head_a, unit_a, period, nominees
):
    response = login(head_a).post(create_url(unit_a, period), form_data(unit_a, nominees))

    meeting = UnitMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("unit_meeting_detail", args=[meeting.pk])
    for dossier in nominees:
        assert Document.objects.filter(dossier=dossier, kind__code="unit_minutes").count() == 1


def test_posting_votes_over_the_members_present_stores_nothing(head_a, unit_a, period, nominees):
    present = len(selectors.unit_members(unit_a))
    mark = audit_mark()

    response = login(head_a).post(
        create_url(unit_a, period), form_data(unit_a, nominees, votes=(present, 1))
    )

    assert response.status_code == 400
    assert "more than" in response.content.decode() or "nhiều hơn" in response.content.decode()
    assert UnitMeeting.objects.count() == 0
    assert list(events_after(mark)) == []


def test_posting_an_absent_chair_is_refused_on_the_form(head_a, unit_a, period, nominees):
    chair = selectors.unit_members(unit_a)[0]

    response = login(head_a).post(
        create_url(unit_a, period), form_data(unit_a, nominees, absent=[chair])
    )

    assert response.status_code == 400
    assert UnitMeeting.objects.count() == 0


def test_posting_no_nominee_is_refused(head_a, unit_a, period, nominees):
    data = form_data(unit_a, nominees)
    for i in range(len(nominees)):
        del data[f"nominees-{i}-evaluated"]

    response = login(head_a).post(create_url(unit_a, period), data)

    assert response.status_code == 400
    assert UnitMeeting.objects.count() == 0


def test_a_forged_dossier_of_another_unit_is_refused(head_a, unit_a, unit_b, period, nominees):
    theirs = make_dossier(period, unit_b, documents=False)
    data = form_data(unit_a, nominees)
    data["nominees-0-dossier"] = theirs.pk

    response = login(head_a).post(create_url(unit_a, period), data)

    assert response.status_code == 400
    assert UnitMeeting.objects.count() == 0
    assert not Document.objects.filter(dossier=theirs, kind__code="unit_minutes").exists()


def test_editing_through_the_page_supersedes_the_minutes(head_a, unit_a, period, nominees, meeting):
    data = form_data(unit_a, nominees, place="Hội trường A", version=meeting.version)

    response = login(head_a).post(reverse("unit_meeting_edit", args=[meeting.pk]), data)

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.place, meeting.version) == ("Hội trường A", 2)


# Who sees what


PAGES_OF_A_MEETING = ["unit_meeting_detail", "unit_meeting_edit", "unit_meeting_minutes"]


@pytest.mark.parametrize("name", PAGES_OF_A_MEETING)
def test_another_units_head_gets_404_even_by_a_guessed_address(head_b, meeting, name):
    response = login(head_b).get(reverse(name, args=[meeting.pk]))

    assert response.status_code == 404


def test_another_units_head_cannot_open_the_form_for_that_unit(head_b, unit_a, period):
    assert login(head_b).get(create_url(unit_a, period)).status_code == 404


def test_another_units_head_does_not_see_the_meeting_in_the_list(head_b, meeting):
    page = login(head_b).get(reverse("unit_meeting_list")).content.decode()

    assert reverse("unit_meeting_detail", args=[meeting.pk]) not in page


def test_an_officer_reads_the_meeting_without_a_way_to_change_it(reviewer, meeting):
    client = login(reviewer)

    detail = client.get(reverse("unit_meeting_detail", args=[meeting.pk]))

    assert detail.status_code == 200
    assert reverse("unit_meeting_edit", args=[meeting.pk]) not in detail.content.decode()
    assert client.get(reverse("unit_meeting_edit", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("unit_meeting_minutes", args=[meeting.pk])).status_code == 200


def test_an_officer_may_not_record_a_meeting(reviewer, unit_a, period):
    assert login(reviewer).get(create_url(unit_a, period)).status_code == 404


def test_a_staff_member_without_a_role_sees_no_meeting(staff_a, meeting):
    assert login(staff_a).get(reverse("unit_meeting_detail", args=[meeting.pk])).status_code == 404


def test_the_detail_page_says_which_dossiers_got_the_minutes(head_a, meeting, nominees):
    page = login(head_a).get(reverse("unit_meeting_detail", args=[meeting.pk])).content.decode()

    for dossier in nominees:
        assert reverse("dossier_detail", args=[dossier.pk]) in page
    assert page.count("Đã đính kèm") + page.count("Attached") >= len(nominees)


def test_the_navigation_offers_the_meetings_to_unit_heads_only(head_a, reviewer):
    link = reverse("unit_meeting_list")

    assert link in login(head_a).get("/").content.decode()
    assert link not in login(reviewer).get("/").content.decode()


# Constant queries


def more_meetings(institution, period, count):
    from tests.conftest import make_unit

    for _ in range(count):
        n = UnitMeeting.objects.count()
        unit = make_unit(institution, f"khoa-{n}", f"Khoa {n}")
        head = make_person(institution, unit, roles=["unit_head"])
        record(head, unit, period, [without_minutes(period, unit)])


def test_the_list_reads_a_constant_number_of_queries(
    reviewer, institution, period, django_assert_max_num_queries
):
    more_meetings(institution, period, 1)
    client = login(reviewer)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("unit_meeting_list"))
    more_meetings(institution, period, 4)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("unit_meeting_list"))

    assert response.content.decode().count("/unit-meetings/") >= 5


def test_the_detail_reads_a_constant_number_of_queries(
    head_a, unit_a, period, django_assert_max_num_queries
):
    small = record(head_a, unit_a, period, [without_minutes(period, unit_a)]).meeting
    dossiers = [without_minutes(period, unit_a) for _ in range(4)]
    for _ in range(3):
        make_person(unit_a.institution, unit_a)
    large = record(head_a, unit_a, period, dossiers).meeting
    client = login(head_a)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("unit_meeting_detail", args=[small.pk]))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("unit_meeting_detail", args=[large.pk]))

    assert response.status_code == 200


def test_the_unit_heads_dossier_list_leads_to_the_meetings(head_a, reviewer):
    link = reverse("unit_meeting_list")

    assert link in login(head_a).get(reverse("dossier_list")).content.decode()
    assert link not in login(reviewer).get(reverse("dossier_list")).content.decode()


def test_the_form_ticks_only_the_dossiers_that_can_still_take_the_minutes(
    head_a, unit_a, period, nominees
):
    from dossiers.models import State
    from tests.factories import dossier_in

    submitted = dossier_in(State.SUBMITTED, period, unit_a)

    response = login(head_a).get(create_url(unit_a, period))

    rows = dict((d.pk, f) for f, d in response.context["nominee_rows"])
    assert rows[nominees[0].pk].initial["evaluated"] is True
    assert rows[submitted.pk].initial["evaluated"] is False


def test_an_officer_lists_the_meetings_of_one_unit(reviewer, meeting, institution, period):
    more_meetings(institution, period, 1)
    other = UnitMeeting.objects.exclude(pk=meeting.pk).get()

    page = login(reviewer).get(reverse("unit_meeting_list"), {"unit": meeting.unit_id})

    assert reverse("unit_meeting_detail", args=[meeting.pk]) in page.content.decode()
    assert reverse("unit_meeting_detail", args=[other.pk]) not in page.content.decode()
