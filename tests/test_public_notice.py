"""Public notice before signing: publishing, objections, their resolution, and that signing waits
for the notice to end with every objection resolved; then the pages' wiring and permissions."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from decisions import notices
from decisions.models import Objection, PublicNotice
from dossiers import workdays
from dossiers.models import Dossier, Role, State
from tests import factories
from tests.conftest import make_person, make_unit
from tests.factories import dossier_in, login
from workflow import services
from workflow.errors import DomainError, GuardFailed, IllegalTransition, NotPermitted

FRIDAY = datetime.date(2026, 3, 6)
WEDNESDAY = datetime.date(2026, 3, 4)
LONG_AGO = datetime.date(2026, 1, 5)  # a Monday: a notice opened then has long ended


def recommended(period, unit, award="grassroots_emulation_fighter", **fields) -> Dossier:
    """A recommended dossier; its award has a five-working-day notice unless told otherwise."""
    return dossier_in(State.RECOMMENDED, period, unit, award=award, **fields)


def published(dossier, secretary, today=None) -> PublicNotice:
    return notices.publish(dossier_ids=[dossier.pk], person=secretary, today=today)[0]


def objection(notice, person, text="Người này bị kỷ luật khiển trách trong năm.", today=None):
    return notices.file_objection(notice_id=notice.pk, person=person, text=text, today=today)


def fresh(dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def sign(dossier, principal) -> Dossier:
    """The principal signs a decision naming the dossier (prepared by the secretary)."""
    return factories.sign(dossier, principal)


# Working days


@pytest.mark.parametrize(
    ("start", "n", "ends"),
    [
        (FRIDAY, 5, datetime.date(2026, 3, 13)),  # Mon 9 .. Fri 13
        (WEDNESDAY, 5, datetime.date(2026, 3, 11)),  # Thu 5, Fri 6, Mon 9, Tue 10, Wed 11
        (datetime.date(2026, 3, 7), 1, datetime.date(2026, 3, 9)),  # Saturday -> Monday
        (FRIDAY, 0, FRIDAY),
    ],
)
def test_working_days_are_counted_from_the_next_working_day_skipping_weekends(db, start, n, ends):
    assert workdays.add_working_days(start, n).ends_on == ends


# Publishing


def test_publishing_moves_a_recommended_dossier_to_public_notice(period, unit_a, secretary):
    dossier = recommended(period, unit_a)

    published(dossier, secretary)

    assert fresh(dossier).state == State.PUBLIC_NOTICE


def test_a_notice_published_on_a_friday_ends_five_working_days_later(period, unit_a, secretary):
    dossier = recommended(period, unit_a)

    notice = published(dossier, secretary, today=FRIDAY)

    assert notice.ends_on == datetime.date(2026, 3, 13)
    assert notice.dossier_id == dossier.pk
    assert notice.institution_id == dossier.institution_id


def test_publishing_records_one_audit_event_per_dossier_with_the_notice_end(
    period, unit_a, secretary
):
    dossier = recommended(period, unit_a)

    published(dossier, secretary, today=FRIDAY)

    event = AuditEvent.objects.get(action="dossier.published", object_id=str(dossier.pk))
    assert (event.from_state, event.to_state) == (State.RECOMMENDED, State.PUBLIC_NOTICE)
    assert event.actor_id == secretary.pk
    assert event.role == Role.COUNCIL_SECRETARY
    assert event.payload == {"ends_on": "2026-03-13"}


def test_publishing_an_award_without_notice_period_changes_none_of_the_dossiers(
    period, unit_a, secretary
):
    with_notice = recommended(period, unit_a)
    without_notice = recommended(period, unit_a, award="advanced_worker")

    with pytest.raises(DomainError) as refusal:
        notices.publish(dossier_ids=[with_notice.pk, without_notice.pk], person=secretary)

    assert "no public-notice period" in str(refusal.value)
    assert fresh(with_notice).state == State.RECOMMENDED
    assert fresh(without_notice).state == State.RECOMMENDED
    assert not PublicNotice.objects.exists()
    assert not AuditEvent.objects.filter(action="dossier.published").exists()


@pytest.mark.parametrize("who", ["principal", "reviewer", "head_a", "staff_a", "auditor"])
def test_only_the_council_secretary_may_publish(request, period, unit_a, who):
    dossier = recommended(period, unit_a)

    with pytest.raises(DomainError) as refusal:
        published(dossier, request.getfixturevalue(who))

    assert refusal.value.http_status == 403
    assert fresh(dossier).state == State.RECOMMENDED
    assert not PublicNotice.objects.exists()


def test_publishing_a_dossier_that_is_not_recommended_is_refused(period, unit_a, secretary):
    dossier = dossier_in(State.REVIEWED, period, unit_a, award="grassroots_emulation_fighter")

    with pytest.raises(DomainError) as refusal:
        published(dossier, secretary)

    assert refusal.value.http_status == 409
    assert not PublicNotice.objects.exists()


def test_publishing_a_dossier_of_another_institution_is_refused(
    period, secretary, other_institution
):
    from dossiers.models import Period

    other_period = Period.objects.create(
        institution=other_institution, name="Năm 2026", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=period.starts_on, ends_on=period.ends_on, is_current=True,
    )  # fmt: skip
    foreign = recommended(other_period, make_unit(other_institution))

    with pytest.raises(DomainError) as refusal:
        published(foreign, secretary)

    assert refusal.value.http_status == 404
    assert fresh(foreign).state == State.RECOMMENDED


def test_publishing_nothing_is_refused(secretary):
    with pytest.raises(GuardFailed):
        notices.publish(dossier_ids=[], person=secretary)


# Objections


def test_a_staff_member_files_an_objection_while_the_notice_runs(
    period, unit_a, secretary, staff_a
):
    notice = published(recommended(period, unit_a), secretary, today=FRIDAY)

    filed = objection(notice, staff_a, "  Thành tích chưa đúng thực tế.  ", today=FRIDAY)

    assert filed.notice_id == notice.pk
    assert filed.filed_by_id == staff_a.pk
    assert filed.text == "Thành tích chưa đúng thực tế."
    assert filed.resolved_at is None


def test_filing_an_objection_is_audited_with_the_notice_and_dossier(
    period, unit_a, secretary, staff_a
):
    dossier = recommended(period, unit_a)
    notice = published(dossier, secretary, today=FRIDAY)

    filed = objection(notice, staff_a, today=FRIDAY)

    event = AuditEvent.objects.get(action="notice.objection_filed")
    assert event.actor_id == staff_a.pk
    assert (event.object_type, event.object_id) == ("notice", str(notice.pk))
    assert event.payload["notice"] == notice.pk
    assert event.payload["dossier"] == dossier.pk
    assert event.payload["objection"] == filed.pk


def test_an_objection_on_the_last_day_of_the_notice_is_accepted(period, unit_a, secretary, staff_a):
    notice = published(recommended(period, unit_a), secretary, today=FRIDAY)

    objection(notice, staff_a, today=notice.ends_on)

    assert notice.objections.count() == 1


def test_an_objection_after_the_notice_ended_is_refused(period, unit_a, secretary, staff_a):
    notice = published(recommended(period, unit_a), secretary, today=FRIDAY)

    with pytest.raises(GuardFailed) as refusal:
        objection(notice, staff_a, today=notice.ends_on + datetime.timedelta(days=1))

    assert "ended on 13/03/2026" in str(refusal.value)
    assert not Objection.objects.exists()
    assert not AuditEvent.objects.filter(action="notice.objection_filed").exists()


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_objection_is_refused(period, unit_a, secretary, staff_a, text):
    notice = published(recommended(period, unit_a), secretary, today=FRIDAY)

    with pytest.raises(GuardFailed):
        objection(notice, staff_a, text, today=FRIDAY)

    assert not Objection.objects.exists()


def test_an_objection_longer_than_5000_characters_is_refused(period, unit_a, secretary, staff_a):
    notice = published(recommended(period, unit_a), secretary, today=FRIDAY)

    with pytest.raises(GuardFailed):
        objection(notice, staff_a, "x" * 5001, today=FRIDAY)
    objection(notice, staff_a, "x" * 5000, today=FRIDAY)

    assert [len(o.text) for o in Objection.objects.all()] == [5000]


def test_an_objection_to_a_dossier_returned_to_the_council_is_refused(
    period, unit_a, secretary, principal, staff_a
):
    dossier = recommended(period, unit_a)
    notice = published(dossier, secretary, today=FRIDAY)
    services.transition(dossier_id=dossier.pk, action="return_to_council", person=principal,
                        expected_version=fresh(dossier).version, reason="Cần xét lại.")  # fmt: skip

    with pytest.raises(IllegalTransition):
        objection(notice, staff_a, today=FRIDAY)


def test_a_person_of_another_institution_cannot_object(
    period, unit_a, secretary, other_institution
):
    notice = published(recommended(period, unit_a), secretary, today=FRIDAY)
    outsider = make_person(other_institution, make_unit(other_institution))

    with pytest.raises(DomainError) as refusal:
        objection(notice, outsider, today=FRIDAY)

    assert refusal.value.http_status == 404
    assert not Objection.objects.exists()


def test_the_secretary_resolves_an_objection_with_a_note(period, unit_a, secretary, staff_a):
    filed = objection(published(recommended(period, unit_a), secretary, today=FRIDAY), staff_a,
                      today=FRIDAY)  # fmt: skip

    notices.resolve_objection(
        objection_id=filed.pk, person=secretary, resolution="Đã xác minh: không có kỷ luật."
    )

    filed.refresh_from_db()
    assert filed.resolved_at is not None
    assert filed.resolved_by_id == secretary.pk
    assert filed.resolution == "Đã xác minh: không có kỷ luật."
    event = AuditEvent.objects.get(action="notice.objection_resolved")
    assert event.role == Role.COUNCIL_SECRETARY
    assert event.reason == "Đã xác minh: không có kỷ luật."
    assert event.payload["objection"] == filed.pk


def test_resolving_an_objection_without_a_note_is_refused(period, unit_a, secretary, staff_a):
    filed = objection(published(recommended(period, unit_a), secretary, today=FRIDAY), staff_a,
                      today=FRIDAY)  # fmt: skip

    with pytest.raises(GuardFailed):
        notices.resolve_objection(objection_id=filed.pk, person=secretary, resolution="  ")

    filed.refresh_from_db()
    assert filed.resolved_at is None


@pytest.mark.parametrize("who", ["principal", "reviewer", "staff_a", "auditor"])
def test_only_the_council_secretary_may_resolve_an_objection(
    request, period, unit_a, secretary, staff_a, who
):
    filed = objection(published(recommended(period, unit_a), secretary, today=FRIDAY), staff_a,
                      today=FRIDAY)  # fmt: skip

    with pytest.raises(NotPermitted):
        notices.resolve_objection(objection_id=filed.pk, person=request.getfixturevalue(who),
                                  resolution="Đã giải quyết.")  # fmt: skip

    filed.refresh_from_db()
    assert filed.resolved_at is None
    assert not AuditEvent.objects.filter(action="notice.objection_resolved").exists()


def test_an_objection_is_resolved_only_once(period, unit_a, secretary, staff_a):
    filed = objection(published(recommended(period, unit_a), secretary, today=FRIDAY), staff_a,
                      today=FRIDAY)  # fmt: skip
    notices.resolve_objection(objection_id=filed.pk, person=secretary, resolution="Lần đầu.")

    with pytest.raises(IllegalTransition):
        notices.resolve_objection(objection_id=filed.pk, person=secretary, resolution="Lần hai.")

    filed.refresh_from_db()
    assert filed.resolution == "Lần đầu."


# Signing waits for the notice


def test_signing_is_refused_while_the_notice_runs(period, unit_a, secretary, principal):
    dossier = recommended(period, unit_a)
    notice = published(dossier, secretary)  # today: the notice runs for a week from now

    with pytest.raises(GuardFailed) as refusal:
        sign(dossier, principal)

    assert notice.ends_on.strftime("%d/%m/%Y") in str(refusal.value)
    assert fresh(dossier).state == State.PUBLIC_NOTICE


def test_signing_is_refused_while_an_objection_is_open(
    period, unit_a, secretary, principal, staff_a
):
    dossier = recommended(period, unit_a)
    notice = published(dossier, secretary, today=LONG_AGO)
    objection(notice, staff_a, today=LONG_AGO)

    with pytest.raises(GuardFailed) as refusal:
        sign(dossier, principal)

    assert "objection" in str(refusal.value)
    assert fresh(dossier).state == State.PUBLIC_NOTICE


def test_signing_is_allowed_after_the_notice_ended_with_every_objection_resolved(
    period, unit_a, secretary, principal, staff_a
):
    dossier = recommended(period, unit_a)
    notice = published(dossier, secretary, today=LONG_AGO)
    for text in ("Ý kiến thứ nhất.", "Ý kiến thứ hai."):
        filed = objection(notice, staff_a, text, today=LONG_AGO)
        notices.resolve_objection(objection_id=filed.pk, person=secretary, resolution="Đã rõ.")

    assert sign(dossier, principal).state == State.SIGNED


# Pages


def test_the_notice_page_shows_a_plain_staff_member_nominee_unit_and_award(
    period, unit_a, secretary, staff_a
):
    huong = make_person(period.institution, unit_a, full_name="Nguyễn Thị Hương")
    notice = published(recommended(period, unit_a, nominee=huong), secretary)

    response = login(staff_a).get(reverse("notice_board"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Nguyễn Thị Hương" in text
    assert "Khoa Toán" in text
    assert str(notice.dossier.award_type) in text
    assert notice.ends_on.strftime("%d/%m/%Y") in text
    assert reverse("notice_object", args=[notice.pk]) in text
    assert reverse("notice_publish") not in text  # the secretary's tools are not shown


def test_the_notice_page_lists_ended_notices_of_the_period_as_closed(
    period, unit_a, secretary, staff_a
):
    huong = make_person(period.institution, unit_a, full_name="Nguyễn Thị Hương")
    notice = published(recommended(period, unit_a, nominee=huong), secretary, today=LONG_AGO)

    response = login(staff_a).get(reverse("notice_board"))

    assert "Nguyễn Thị Hương" in response.content.decode()
    assert reverse("notice_object", args=[notice.pk]) not in response.content.decode()


def test_the_notice_page_needs_a_login():
    response = Client().get(reverse("notice_board"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_navigation_links_every_logged_in_person_to_the_notices(period, staff_a):
    response = login(staff_a).get(reverse("home"))

    assert f'href="{reverse("notice_board")}"' in response.content.decode()


def test_a_staff_member_files_an_objection_through_the_page(period, unit_a, secretary, staff_a):
    notice = published(recommended(period, unit_a), secretary)

    response = login(staff_a).post(
        reverse("notice_object", args=[notice.pk]), {"text": "Chưa đủ 10 tháng công tác."}
    )

    assert response.status_code == 302
    assert notice.objections.get().text == "Chưa đủ 10 tháng công tác."


def test_an_objection_refused_by_the_service_says_why_and_keeps_the_text(
    period, unit_a, secretary, staff_a
):
    notice = published(recommended(period, unit_a), secretary, today=LONG_AGO)

    response = login(staff_a).post(
        reverse("notice_object", args=[notice.pk]), {"text": "Ý kiến gửi muộn."}
    )

    assert response.status_code == 422
    assert "không nhận thêm ý kiến phản ánh" in response.content.decode()  # the UI is Vietnamese
    assert not Objection.objects.exists()


def test_an_empty_objection_through_the_page_is_refused(period, unit_a, secretary, staff_a):
    notice = published(recommended(period, unit_a), secretary)

    response = login(staff_a).post(reverse("notice_object", args=[notice.pk]), {"text": "  "})

    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_objecting_to_a_notice_of_another_institution_through_the_page_is_not_found(
    period, unit_a, secretary, other_institution
):
    notice = published(recommended(period, unit_a), secretary)
    outsider = make_person(other_institution, make_unit(other_institution))

    response = login(outsider).post(reverse("notice_object", args=[notice.pk]), {"text": "Ý kiến."})

    assert response.status_code == 404
    assert not Objection.objects.exists()


def test_the_secretary_sees_and_resolves_objections_through_the_page(
    period, unit_a, secretary, staff_a
):
    filed = objection(published(recommended(period, unit_a), secretary), staff_a,
                      "Thành tích kê khai chưa chính xác.")  # fmt: skip
    client = login(secretary)

    listing = client.get(reverse("notice_objections"))
    response = client.post(reverse("notice_objection_resolve", args=[filed.pk]),
                           {"resolution": "Đơn vị đã giải trình."})  # fmt: skip

    assert "Thành tích kê khai chưa chính xác." in listing.content.decode()
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.resolution == "Đơn vị đã giải trình."
    assert "Đơn vị đã giải trình." in client.get(reverse("notice_objections")).content.decode()


def test_a_resolution_without_a_note_through_the_page_is_refused(
    period, unit_a, secretary, staff_a
):
    filed = objection(published(recommended(period, unit_a), secretary), staff_a)

    response = login(secretary).post(
        reverse("notice_objection_resolve", args=[filed.pk]), {"resolution": ""}
    )

    assert response.status_code == 400
    filed.refresh_from_db()
    assert filed.resolved_at is None


@pytest.mark.parametrize("who", ["staff_a", "principal", "reviewer"])
def test_the_objections_page_and_resolving_are_refused_to_others(
    request, period, unit_a, secretary, staff_a, who
):
    filed = objection(published(recommended(period, unit_a), secretary), staff_a)
    client = login(request.getfixturevalue(who))

    listing = client.get(reverse("notice_objections"))
    resolving = client.post(reverse("notice_objection_resolve", args=[filed.pk]),
                            {"resolution": "Đã giải quyết."})  # fmt: skip

    assert (listing.status_code, resolving.status_code) == (403, 403)
    filed.refresh_from_db()
    assert filed.resolved_at is None


def test_the_publish_page_lists_only_recommended_dossiers_with_a_notice_period(
    period, unit_a, secretary
):
    with_notice = recommended(period, unit_a, nominee=make_person(
        period.institution, unit_a, full_name="Lê Thị Thu"))  # fmt: skip
    recommended(period, unit_a, award="advanced_worker", nominee=make_person(
        period.institution, unit_a, full_name="Đỗ Văn Khải"))  # fmt: skip

    text = login(secretary).get(reverse("notice_publish")).content.decode()

    assert "Lê Thị Thu" in text
    assert f'value="{with_notice.pk}"' in text
    assert "Đỗ Văn Khải" not in text


def test_the_secretary_publishes_through_the_page(period, unit_a, secretary):
    dossiers = [recommended(period, unit_a) for _ in range(2)]

    response = login(secretary).post(
        reverse("notice_publish"), {"dossiers": [d.pk for d in dossiers]}
    )

    assert response.status_code == 302
    assert {fresh(d).state for d in dossiers} == {State.PUBLIC_NOTICE}
    assert PublicNotice.objects.count() == 2


@pytest.mark.parametrize("who", ["staff_a", "principal", "reviewer"])
def test_the_publish_page_is_refused_to_others(request, period, unit_a, who):
    dossier = recommended(period, unit_a)
    client = login(request.getfixturevalue(who))

    page = client.get(reverse("notice_publish"))
    posting = client.post(reverse("notice_publish"), {"dossiers": [dossier.pk]})

    assert (page.status_code, posting.status_code) == (403, 403)
    assert fresh(dossier).state == State.RECOMMENDED


def test_the_notice_page_runs_a_constant_number_of_queries(period, unit_a, unit_b, secretary,
                                                           staff_a):  # fmt: skip
    def add_notices(n):
        for _ in range(n):
            for unit in (unit_a, unit_b):
                objection(published(recommended(period, unit), secretary), staff_a)
                published(recommended(period, unit), secretary, today=LONG_AGO)

    client = login(staff_a)
    add_notices(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notice_board")).status_code == 200
    add_notices(3)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("notice_board")).status_code == 200

    assert len(many) == len(few)
