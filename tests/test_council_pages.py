"""The meeting and ballot pages: wiring to the council services, who may open what, and that no
page shows a choice before the vote is closed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from council import services
from council.models import (
    AgendaItem,
    Choice,
    Meeting,
    MeetingMember,
    Participation,
    SealedBallot,
    WrittenOpinion,
)
from dossiers.models import Dossier, Role, State
from tests.conftest import make_person
from tests.factories import dossier_in, earlier_mail_delivered, login, upload

AGREE = Choice.AGREE
DISAGREE = Choice.DISAGREE
ABSTAIN = Choice.ABSTAIN
# Every way a choice could be written on a page, in both languages.
CHOICE_WORDS = ["Agree", "Disagree", "No vote", "Đồng ý", "Không đồng ý", "Không biểu quyết"]
RECEIPT = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def vi(text) -> str:
    with translation.override("vi"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def page_text(response) -> str:
    return response.content.decode()


# A council of four: the secretary, the principal (chair), a member, and one more member.


def add_fourth_member(institution, unit):
    return make_person(
        institution, unit, roles=[Role.COUNCIL_MEMBER], full_name="Phạm Thị Lan", username="lan"
    )


def reviewed_nominations(period, unit_a, unit_b) -> list[Dossier]:
    """Hương for advanced worker (more than 50%), Bình for grassroots fighter (at least 80%)."""
    huong = make_person(period.institution, unit_a, full_name="Nguyễn Thị Hương")
    binh = make_person(period.institution, unit_b, full_name="Trần Văn Bình")
    return [
        dossier_in(State.REVIEWED, period, unit_a, nominee=huong),
        dossier_in(
            State.REVIEWED, period, unit_b, award="grassroots_emulation_fighter", nominee=binh
        ),
    ]


def plan(period, secretary, chair, dossiers=()) -> Meeting:
    meeting = services.create_meeting(
        person=secretary,
        period=period,
        title="Họp xét thi đua năm 2026",
        held_on=timezone.now(),
        place="Phòng họp số 1",
        chair=chair,
    )
    if dossiers:
        services.set_agenda(
            meeting_id=meeting.pk, person=secretary, dossier_ids=[d.pk for d in dossiers]
        )
    return meeting


def items_of(meeting) -> list[AgendaItem]:
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))


def vote(meeting, member, *picks) -> str:
    choices = {item.pk: pick for item, pick in zip(items_of(meeting), picks, strict=True)}
    return services.cast_ballot(meeting_id=meeting.pk, person=member, choices=choices)


def open_with(meeting, secretary, attendance: dict | None = None) -> Meeting:
    """Record the attendance (person -> attendance), then open the vote: attendance is fixed."""
    if attendance:
        services.record_attendance(
            meeting_id=meeting.pk,
            person=secretary,
            attendance={person.pk: value for person, value in attendance.items()},
        )
    return services.open_meeting(meeting_id=meeting.pk, person=secretary)


def write_in(meeting, secretary, member, choices) -> str:
    return services.record_written_ballot(
        meeting_id=meeting.pk,
        person=secretary,
        member_id=member.pk,
        choices=choices,
        opinion=upload("y-kien-bang-van-ban.pdf"),
    )


def vote_and_close(meeting, members) -> list[str]:
    """Three members vote in person, the fourth (recorded in writing before opening) in writing;
    then the vote is closed.

    Hương: 3 agree, 1 disagree, 0 no vote -> passed (more than 50%).
    Bình: 2 agree, 1 disagree, 1 no vote -> not passed (at least 80%).
    Returns the receipt codes.
    """
    secretary, principal, member, fourth = members
    receipts = [
        vote(meeting, secretary, AGREE, AGREE),
        vote(meeting, principal, AGREE, DISAGREE),
        vote(meeting, member, DISAGREE, ABSTAIN),
    ]
    items = items_of(meeting)
    receipts.append(write_in(meeting, secretary, fourth, {items[0].pk: AGREE, items[1].pk: AGREE}))
    services.close_meeting(meeting_id=meeting.pk, person=secretary)
    meeting.refresh_from_db()
    return receipts


@pytest.fixture
def fourth_member(institution, unit_b):
    return add_fourth_member(institution, unit_b)


@pytest.fixture
def members(secretary, principal, council_member, fourth_member):
    return [secretary, principal, council_member, fourth_member]


@pytest.fixture
def dossiers(period, unit_a, unit_b):
    return reviewed_nominations(period, unit_a, unit_b)


@pytest.fixture
def planned(period, secretary, principal, members, dossiers):
    return plan(period, secretary, principal, dossiers)


@pytest.fixture
def opened(planned, secretary):
    return services.open_meeting(meeting_id=planned.pk, person=secretary)


@pytest.fixture
def closed(planned, secretary, members):
    meeting = open_with(planned, secretary, {members[3]: MeetingMember.Attendance.IN_WRITING})
    meeting.receipts = vote_and_close(meeting, members)
    return meeting


def ballot_rows(meeting) -> tuple[int, int]:
    return (
        Participation.objects.filter(meeting=meeting).count(),
        SealedBallot.objects.filter(meeting=meeting).count(),
    )


def ballot_post(meeting, *picks) -> dict[str, str]:
    return {f"item_{item.pk}": pick for item, pick in zip(items_of(meeting), picks, strict=True)}


# The secretary prepares and runs the meeting through the pages


def test_secretary_creates_a_meeting_chaired_by_a_council_member(
    period, secretary, principal, members
):
    response = login(secretary).post(
        reverse("meeting_create"),
        {
            "title": "Họp xét thi đua",
            "held_on": "2026-12-15T08:00",
            "place": "Phòng họp số 1",
            "chair": principal.pk,
        },
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("meeting_detail", args=[meeting.pk])
    assert (meeting.chair, meeting.secretary, meeting.period) == (principal, secretary, period)
    assert timezone.localtime(meeting.held_on).strftime("%d/%m/%Y %H:%M") == "15/12/2026 08:00"
    assert {m.person for m in meeting.members.all()} == set(members)


def test_the_chair_can_only_be_chosen_among_the_council_members(
    period, secretary, principal, members, reviewer
):
    response = login(secretary).post(
        reverse("meeting_create"),
        {"title": "Họp", "held_on": "2026-12-15T08:00", "place": "Phòng 1", "chair": reviewer.pk},
    )

    assert response.status_code == 400  # an invalid form
    assert response.context["form"].errors["chair"]
    assert not Meeting.objects.exists()


def test_the_agenda_offers_the_reviewed_dossiers_of_the_period_only(
    period, unit_a, secretary, principal, members, dossiers
):
    submitted = dossier_in(State.SUBMITTED, period, unit_a)
    meeting = plan(period, secretary, principal)

    response = login(secretary).get(reverse("meeting_detail", args=[meeting.pk]))

    offered = {d.pk for d in response.context["agenda_form"].fields["dossiers"].queryset}
    assert offered == {d.pk for d in dossiers}
    assert submitted.pk not in offered


def test_secretary_sets_the_agenda_with_checkboxes(period, secretary, principal, members, dossiers):
    meeting = plan(period, secretary, principal)

    response = login(secretary).post(
        reverse("meeting_agenda", args=[meeting.pk]), {"dossiers": [d.pk for d in dossiers]}
    )

    assert response.status_code == 302
    assert [i.dossier_id for i in items_of(meeting)] == [d.pk for d in dossiers]


def test_an_empty_agenda_is_refused_with_the_services_reason(
    period, secretary, principal, members, dossiers
):
    meeting = plan(period, secretary, principal)

    response = login(secretary).post(reverse("meeting_agenda", args=[meeting.pk]), follow=True)

    assert escape(vi("Choose at least one dossier.")) in page_text(response)
    assert not AgendaItem.objects.filter(meeting=meeting).exists()


def test_secretary_records_the_attendance_of_each_member(planned, secretary, members):
    _sec, principal, member, fourth = members
    data = {f"member_{m.pk}": MeetingMember.Attendance.PRESENT for m in members}
    data[f"member_{member.pk}"] = MeetingMember.Attendance.IN_WRITING
    data[f"member_{fourth.pk}"] = MeetingMember.Attendance.ABSENT

    response = login(secretary).post(reverse("meeting_attendance", args=[planned.pk]), data)

    assert response.status_code == 302
    attendance = dict(planned.members.values_list("person_id", "attendance"))
    assert attendance == {
        secretary.pk: "present",
        principal.pk: "present",
        member.pk: "in_writing",
        fourth.pk: "absent",
    }


def test_secretary_opens_the_vote_and_the_agenda_dossiers_go_to_voting(
    planned, secretary, dossiers
):
    response = login(secretary).post(reverse("meeting_open", args=[planned.pk]))

    planned.refresh_from_db()
    assert response.status_code == 302
    assert planned.state == Meeting.State.OPEN
    assert set(
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("state", flat=True)
    ) == {State.VOTING}


def test_the_live_count_goes_up_when_a_member_votes(opened, secretary, council_member):
    client = login(secretary)
    before = client.get(reverse("meeting_detail", args=[opened.pk]))

    login(council_member).post(
        reverse("meeting_ballot", args=[opened.pk]), ballot_post(opened, AGREE, DISAGREE)
    )
    after = client.get(reverse("meeting_detail", args=[opened.pk]))

    assert "0 / 4" in page_text(before)
    assert "1 / 4" in page_text(after)


def test_the_meeting_page_shows_no_choice_and_no_receipt_while_the_vote_is_open(
    opened, secretary, members
):
    for member in members[:3]:
        vote(opened, member, AGREE, DISAGREE)

    html = page_text(login(secretary).get(reverse("meeting_detail", args=[opened.pk])))

    assert "3 / 4" in html
    assert [word for word in CHOICE_WORDS if word in html] == []
    assert RECEIPT.findall(html) == []


def test_secretary_closes_the_vote_and_the_page_links_the_results_and_minutes(
    opened, secretary, members
):
    for member in members[:3]:
        vote(opened, member, AGREE, AGREE)

    response = login(secretary).post(reverse("meeting_close", args=[opened.pk]), follow=True)

    opened.refresh_from_db()
    assert opened.state == Meeting.State.CLOSED
    assert reverse("meeting_results", args=[opened.pk]) in page_text(response)
    assert reverse("meeting_minutes", args=[opened.pk]) in page_text(response)


def test_opening_without_a_quorum_shows_the_services_reason_and_stays_planned(
    planned, secretary, members
):
    services.record_attendance(
        meeting_id=planned.pk,
        person=secretary,
        attendance={m.pk: MeetingMember.Attendance.ABSENT for m in members[1:]},
    )

    response = login(secretary).post(reverse("meeting_open", args=[planned.pk]), follow=True)

    planned.refresh_from_db()
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert planned.state == Meeting.State.PLANNED
    assert len(errors) == 1 and str(items_of(planned)[0].dossier.award_type) in errors[0]


def test_the_attendance_cannot_be_changed_once_the_vote_is_open(opened, secretary, members):
    """Regression: the secretary marked a present member "in writing" during the vote, then
    entered a written ballot in their name and the member could no longer vote."""
    data = {f"member_{m.pk}": MeetingMember.Attendance.PRESENT for m in members}
    data[f"member_{members[2].pk}"] = MeetingMember.Attendance.IN_WRITING

    response = login(secretary).post(
        reverse("meeting_attendance", args=[opened.pk]), data, follow=True
    )

    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors == [vi("The attendance is fixed once the vote opens.")]
    assert set(opened.members.values_list("attendance", flat=True)) == {"present"}
    assert "attendance_form" not in response.context


def test_secretary_enters_the_written_opinion_of_a_member_absent_in_writing(
    planned, secretary, fourth_member, mailoutbox, django_capture_on_commit_callbacks
):
    opened = open_with(planned, secretary, {fourth_member: MeetingMember.Attendance.IN_WRITING})
    earlier_mail_delivered()  # the vote-opened mail
    fourth_member.email = "lan@example.edu.vn"
    fourth_member.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = login(secretary).post(
            reverse("meeting_written_ballot", args=[opened.pk]),
            {
                "member": fourth_member.pk,
                "opinion": upload("y-kien-lan.pdf"),
                **ballot_post(opened, AGREE, ABSTAIN),
            },
        )

    assert response.status_code == 200
    assert RECEIPT.search(page_text(response))
    assert Participation.objects.get(meeting=opened).channel == "in_writing"
    assert SealedBallot.objects.filter(meeting=opened).count() == 1
    opinion = WrittenOpinion.objects.get(meeting=opened)
    assert (opinion.member, opinion.original_name) == (fourth_member, "y-kien-lan.pdf")
    assert opinion.file.storage.exists(opinion.file.name)
    assert [m.to for m in mailoutbox] == [["lan@example.edu.vn"]]
    assert opened.title in mailoutbox[0].subject


def test_a_written_opinion_without_its_scan_is_refused_and_stores_nothing(
    planned, secretary, fourth_member
):
    opened = open_with(planned, secretary, {fourth_member: MeetingMember.Attendance.IN_WRITING})

    response = login(secretary).post(
        reverse("meeting_written_ballot", args=[opened.pk]),
        {"member": fourth_member.pk, **ballot_post(opened, AGREE, ABSTAIN)},
    )

    assert response.status_code == 400
    assert ballot_rows(opened) == (0, 0)
    assert not WrittenOpinion.objects.exists()


def test_a_written_opinion_whose_scan_is_not_a_pdf_or_image_is_refused_and_stores_nothing(
    planned, secretary, fourth_member
):
    opened = open_with(planned, secretary, {fourth_member: MeetingMember.Attendance.IN_WRITING})

    response = login(secretary).post(
        reverse("meeting_written_ballot", args=[opened.pk]),
        {
            "member": fourth_member.pk,
            "opinion": upload("y-kien.pdf", b"not a pdf at all"),
            **ballot_post(opened, AGREE, ABSTAIN),
        },
    )

    assert response.status_code == 400
    assert ballot_rows(opened) == (0, 0)
    assert not WrittenOpinion.objects.exists()


def test_the_written_opinion_form_offers_only_members_absent_in_writing_who_have_not_voted(
    planned, secretary, members
):
    _sec, _principal, _member, fourth = members
    opened = open_with(planned, secretary, {fourth: "in_writing"})
    page = reverse("meeting_written_ballot", args=[opened.pk])
    offered_before = list(login(secretary).get(page).context["form"].fields["member"].queryset)

    write_in(opened, secretary, fourth, {item.pk: AGREE for item in items_of(opened)})

    offered_after = list(login(secretary).get(page).context["form"].fields["member"].queryset)
    assert (offered_before, offered_after) == ([fourth], [])


# The member's ballot page


def test_the_ballot_page_lists_every_item_with_three_choices(opened, council_member, dossiers):
    response = login(council_member).get(reverse("meeting_ballot", args=[opened.pk]))

    html = page_text(response)
    assert response.status_code == 200
    assert "Nguyễn Thị Hương" in html and "Trần Văn Bình" in html
    assert "Khoa Toán" in html and "Khoa Văn" in html
    assert escape(str(dossiers[0].award_type)) in html
    assert "Hoàn thành xuất sắc nhiệm vụ giảng dạy." in html
    for item in items_of(opened):
        assert set(re.findall(rf'name="item_{item.pk}" value="(\w+)"', html)) == {
            AGREE,
            DISAGREE,
            ABSTAIN,
        }


def test_casting_a_ballot_shows_its_receipt_code_once(opened, council_member):
    client = login(council_member)

    response = client.post(
        reverse("meeting_ballot", args=[opened.pk]), ballot_post(opened, AGREE, DISAGREE)
    )
    second_visit = client.get(reverse("meeting_ballot", args=[opened.pk]))

    receipt = RECEIPT.search(page_text(response)).group()
    assert SealedBallot.objects.filter(meeting=opened).count() == 1
    assert Participation.objects.get(meeting=opened).member == council_member
    assert receipt not in page_text(second_visit)
    assert escape(str(second_visit.context["blocked"])) in page_text(second_visit)
    assert 'name="item_' not in page_text(second_visit)


def test_the_ballot_and_receipt_pages_are_never_cached(opened, council_member):
    response = login(council_member).post(
        reverse("meeting_ballot", args=[opened.pk]), ballot_post(opened, AGREE, AGREE)
    )

    assert "no-store" in response["Cache-Control"]


def test_a_second_ballot_is_refused_with_the_services_reason_and_stores_nothing(
    opened, council_member
):
    client = login(council_member)
    client.post(reverse("meeting_ballot", args=[opened.pk]), ballot_post(opened, AGREE, AGREE))
    before = ballot_rows(opened)

    response = client.post(
        reverse("meeting_ballot", args=[opened.pk]), ballot_post(opened, DISAGREE, DISAGREE)
    )

    assert response.status_code == 409
    assert escape(vi("A ballot from this member has already been counted.")) in page_text(response)
    assert RECEIPT.findall(page_text(response)) == []
    assert ballot_rows(opened) == before


def test_a_ballot_after_closing_is_refused_with_the_services_reason_and_stores_nothing(
    closed, council_member
):
    Participation.objects.filter(meeting=closed, member=council_member).delete()
    before = ballot_rows(closed)

    response = login(council_member).post(
        reverse("meeting_ballot", args=[closed.pk]), ballot_post(closed, AGREE, AGREE)
    )

    assert response.status_code == 409
    assert escape(vi("Voting is closed.")) in page_text(response)
    assert ballot_rows(closed) == before


def test_a_ballot_from_someone_not_on_the_council_is_refused_and_stores_nothing(opened, reviewer):
    response = login(reviewer).post(
        reverse("meeting_ballot", args=[opened.pk]), ballot_post(opened, AGREE, AGREE)
    )

    reason = vi("This person is not a member of the council for this meeting.")
    assert response.status_code == 409
    assert escape(reason) in page_text(response)
    assert ballot_rows(opened) == (0, 0)


def test_an_incomplete_ballot_is_refused_with_the_services_reason_and_stores_nothing(
    opened, council_member
):
    first_item_only = dict(list(ballot_post(opened, AGREE, AGREE).items())[:1])

    response = login(council_member).post(
        reverse("meeting_ballot", args=[opened.pk]), first_item_only
    )

    assert response.status_code == 409
    assert escape(vi("Give one choice for every item on the agenda.")) in page_text(response)
    assert ballot_rows(opened) == (0, 0)
    assert 'name="item_' in page_text(response)  # the member can complete it and submit again


def test_a_member_recorded_absent_is_told_so_instead_of_given_a_ballot(
    planned, secretary, council_member
):
    opened = open_with(planned, secretary, {council_member: MeetingMember.Attendance.ABSENT})
    client = login(council_member)

    page = client.get(reverse("meeting_ballot", args=[opened.pk]))
    refused = client.post(
        reverse("meeting_ballot", args=[opened.pk]), ballot_post(opened, AGREE, AGREE)
    )

    assert 'name="item_' not in page_text(page)
    assert escape(str(page.context["blocked"])) in page_text(page)
    assert refused.status_code == 409
    assert ballot_rows(opened) == (0, 0)


# Who may open which page


@pytest.mark.parametrize("who", ["head_a", "staff_a"])
def test_someone_without_a_council_role_cannot_open_the_meeting_pages(request, opened, who):
    client = login(request.getfixturevalue(who))

    statuses = {
        name: client.get(reverse(name, args=[opened.pk])).status_code
        for name in [
            "meeting_detail",
            "meeting_ballot",
            "meeting_written_ballot",
            "meeting_results",
            "meeting_minutes",
        ]
    }

    assert set(statuses.values()) == {404}
    assert client.post(reverse("meeting_close", args=[opened.pk])).status_code == 404
    assert list(client.get(reverse("meeting_list")).context["page"].object_list) == []


@pytest.mark.parametrize("who", ["head_a", "staff_a", "council_member", "reviewer"])
def test_only_the_secretary_may_create_a_meeting(request, period, who):
    response = login(request.getfixturevalue(who)).get(reverse("meeting_create"))

    assert response.status_code == 403


def test_a_reviewer_sees_the_meeting_but_cannot_run_it(planned, reviewer):
    client = login(reviewer)

    page = client.get(reverse("meeting_detail", args=[planned.pk]))
    opening = client.post(reverse("meeting_open", args=[planned.pk]))

    planned.refresh_from_db()
    assert page.status_code == 200
    assert "agenda_form" not in page.context and "attendance_form" not in page.context
    assert opening.status_code == 403
    assert planned.state == Meeting.State.PLANNED


def test_a_member_sees_only_the_meetings_they_sit_on(
    period, secretary, principal, members, council_member
):
    theirs = plan(period, secretary, principal)
    not_theirs = plan(period, secretary, principal)
    MeetingMember.objects.filter(meeting=not_theirs, person=council_member).delete()

    response = login(council_member).get(reverse("meeting_list"))

    assert list(response.context["page"].object_list) == [theirs]
    assert (
        login(council_member).get(reverse("meeting_detail", args=[not_theirs.pk])).status_code
        == 404
    )


def test_the_meeting_list_takes_as_many_queries_for_five_meetings_as_for_one(
    period, secretary, principal, members
):
    client = login(secretary)
    plan(period, secretary, principal)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("meeting_list"))
    for _ in range(4):
        plan(period, secretary, principal)
    with CaptureQueriesContext(connection) as five:
        response = client.get(reverse("meeting_list"))

    assert len(response.context["page"].object_list) == 5
    assert len(five) == len(one)


def test_the_meeting_page_takes_as_many_queries_with_eight_members_as_with_four(
    institution, period, unit_b, secretary, principal, members, dossiers
):
    client = login(secretary)
    small = plan(period, secretary, principal, dossiers)
    for _ in range(4):
        make_person(institution, unit_b, roles=[Role.COUNCIL_MEMBER])
    # A dossier sits on one pending agenda at a time, so the larger meeting votes on others.
    others = [dossier_in(State.REVIEWED, period, d.unit, award=d.award_type.code)
              for d in dossiers]  # fmt: skip
    large = plan(period, secretary, principal, others)

    with CaptureQueriesContext(connection) as four:
        client.get(reverse("meeting_detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as eight:
        response = client.get(reverse("meeting_detail", args=[large.pk]))

    assert len(response.context["members"]) == 8
    assert len(eight) == len(four)


# Results, only after closing


def test_the_results_page_is_refused_while_the_vote_is_open(opened, secretary, members):
    for member in members[:3]:
        vote(opened, member, AGREE, AGREE)

    response = login(secretary).get(reverse("meeting_results", args=[opened.pk]))

    assert response.status_code == 409
    assert RECEIPT.findall(page_text(response)) == []
    assert 'class="agree"' not in page_text(response)


def test_the_results_page_shows_each_items_tally_outcome_and_rule(closed, council_member):
    html = page_text(login(council_member).get(reverse("meeting_results", args=[closed.pk])))

    rows = re.findall(
        r'<td class="agree">(\d+)</td>\s*<td class="disagree">(\d+)</td>\s*'
        r'<td class="abstain">(\d+)</td>',
        html,
    )
    assert rows == [("3", "1", "0"), ("2", "1", "1")]
    assert html.count("state-recommended") == 1 and html.count("state-not_recommended") == 1
    assert "80%" in html and "50%" in html


def test_the_results_page_publishes_every_ballot_by_its_receipt_code(closed, council_member):
    html = page_text(login(council_member).get(reverse("meeting_results", args=[closed.pk])))

    assert sorted(RECEIPT.findall(html)) == sorted(closed.receipts)
    assert "Phạm Thị Lan" in html  # in the attendance, as absent with a written opinion


def test_the_results_page_summarises_the_attendance(closed, council_member):
    response = login(council_member).get(reverse("meeting_results", args=[closed.pk]))

    counts = {value: len(group) for value, _label, group in response.context["attendance"]}
    assert counts == {"present": 3, "in_writing": 1, "absent": 0}
    assert response.context["results"].voters == 4


# The admin: read-only, and no ballot content while a vote is open


def test_the_council_records_are_read_only_in_the_admin(closed, admin_client):
    council_models = [m for m in admin.site._registry if m._meta.app_label == "council"]

    for model in council_models:
        changelist = admin_client.get(reverse(f"admin:council_{model._meta.model_name}_changelist"))
        add = admin_client.get(reverse(f"admin:council_{model._meta.model_name}_add"))
        assert (model.__name__, changelist.status_code, add.status_code) == (
            model.__name__,
            200,
            403,
        )
    assert {m.__name__ for m in council_models} >= {
        "Meeting",
        "AgendaItem",
        "Participation",
        "PublishedReceipt",
        "Recusal",
        "WrittenOpinion",
    }


def test_the_admin_shows_no_ballot_content_and_no_receipt_while_the_vote_is_open(
    opened, members, admin_client
):
    receipt = vote(opened, members[0], AGREE, AGREE)

    receipts = admin_client.get(reverse("admin:council_publishedreceipt_changelist"))

    assert receipt not in page_text(receipts)
    assert receipts.context["cl"].result_count == 0
    assert SealedBallot not in admin.site._registry


def test_the_meeting_date_is_shown_as_offices_write_it(period, secretary, principal, members):
    meeting = plan(period, secretary, principal)
    Meeting.objects.filter(pk=meeting.pk).update(
        held_on=timezone.make_aware(datetime.datetime(2026, 12, 5, 8, 30))
    )

    html = page_text(login(secretary).get(reverse("meeting_list")))

    assert "08:30 05/12/2026" in html


# Recusal on the pages


@pytest.fixture
def nominee_meeting(period, unit_a, unit_b, secretary, principal, members):
    """Hương's dossier, and one nominating the council member "member" themselves."""
    own = dossier_in(State.REVIEWED, period, unit_b, award="certificate_of_merit",
                     nominee=members[2])  # fmt: skip
    huong = make_person(period.institution, unit_a, full_name="Nguyễn Thị Hương")
    dossiers = [dossier_in(State.REVIEWED, period, unit_a, nominee=huong), own]
    return open_with(plan(period, secretary, principal, dossiers), secretary)


def test_the_ballot_page_shows_the_members_own_dossier_as_recused_without_a_choice(
    nominee_meeting, council_member
):
    first, own = items_of(nominee_meeting)

    response = login(council_member).get(reverse("meeting_ballot", args=[nominee_meeting.pk]))

    html = page_text(response)
    assert f'name="item_{first.pk}"' in html
    assert f'name="item_{own.pk}"' not in html
    assert escape(vi("Recused: this item concerns you, so you cast no ballot on it.")) in html


def test_a_member_casts_their_ballot_without_the_recused_item_and_the_results_name_them(
    nominee_meeting, secretary, members, council_member
):
    first, own = items_of(nominee_meeting)
    login(council_member).post(
        reverse("meeting_ballot", args=[nominee_meeting.pk]), {f"item_{first.pk}": AGREE}
    )
    for member in (members[0], members[1], members[3]):
        vote(nominee_meeting, member, AGREE, AGREE)
    services.close_meeting(meeting_id=nominee_meeting.pk, person=secretary)

    response = login(council_member).get(reverse("meeting_results", args=[nominee_meeting.pk]))

    own.refresh_from_db()
    assert (own.agree, own.recused) == (3, 1)
    assert response.context["recusals"] == [(own, own.recusals.get())]
    assert council_member.full_name in page_text(response)
