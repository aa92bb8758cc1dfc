"""Registration (đăng ký thi đua): each unit registers its people and itself for titles."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dossiers.models import AwardType, Registration
from emulation import services
from tests.conftest import make_person
from tests.factories import audit_mark, events_after, login
from workflow.errors import GuardFailed, NotFound, NotPermitted


def award(code="advanced_worker", institution=None):
    found = AwardType.objects.filter(code=code)
    return (found.filter(institution=institution) if institution else found).get()


@pytest.fixture
def teachers(institution, unit_a):
    return [make_person(institution, unit_a, full_name=name)
            for name in ("Lê Văn Hùng", "Đỗ Thị Thu")]  # fmt: skip


def register(head, period, unit, people=(), **fields):
    return services.register(
        person=head, period=period, unit=unit,
        award_type=fields.pop("award_type", award(institution=period.institution)),
        targets=fields.pop("targets", "Hoàn thành tốt nhiệm vụ"), nominees=list(people),
        **fields,
    )  # fmt: skip


def test_a_unit_head_registers_people_of_the_unit_each_audited(head_a, period, unit_a, teachers):
    mark = audit_mark()

    rows = register(head_a, period, unit_a, teachers)

    events = list(events_after(mark))
    assert [e.action for e in events] == ["registration.created"] * 2
    assert {e.payload["nominee"]["name"] for e in events} == {p.full_name for p in teachers}
    assert Registration.objects.active().count() == len(rows) == 2


def test_a_unit_registers_itself_for_a_collective_title(head_a, period, unit_a):
    (row,) = register(head_a, period, unit_a, award_type=award("advanced_collective"),
                      the_unit_itself=True)  # fmt: skip

    assert row.nominee == unit_a


def test_a_unit_head_cannot_register_for_another_unit(head_a, period, unit_b):
    other = make_person(unit_b.institution, unit_b, full_name="Người khoa B")

    with pytest.raises(NotPermitted):
        register(head_a, period, unit_b, [other])

    assert not Registration.objects.exists()


def test_a_person_of_another_unit_is_refused_and_nothing_is_registered(
    head_a, period, unit_a, unit_b, teachers
):
    other = make_person(unit_b.institution, unit_b, full_name="Người khoa B")
    mark = audit_mark()

    with pytest.raises(GuardFailed) as refusal:
        register(head_a, period, unit_a, [teachers[0], other])

    assert "Not active members of" in refusal.value.reasons_en[0]
    assert not Registration.objects.exists() and not events_after(mark).exists()


def test_a_person_registered_twice_for_the_same_title_is_refused(head_a, period, unit_a, teachers):
    register(head_a, period, unit_a, teachers[:1])
    mark = audit_mark()

    with pytest.raises(GuardFailed) as refusal:
        register(head_a, period, unit_a, teachers)

    assert refusal.value.reasons_en == ["Already registered for this title in this period."]
    assert Registration.objects.count() == 1 and not events_after(mark).exists()


def test_an_individual_title_cannot_be_registered_for_the_unit_itself(head_a, period, unit_a):
    with pytest.raises(GuardFailed):
        register(head_a, period, unit_a, the_unit_itself=True)

    assert not Registration.objects.exists()


def test_a_registration_is_withdrawn_not_deleted_and_may_be_made_again(
    head_a, period, unit_a, teachers
):
    (row,) = register(head_a, period, unit_a, teachers[:1])
    mark = audit_mark()

    services.withdraw_registration(person=head_a, registration_id=row.pk)

    assert events_after(mark).get().action == "registration.withdrawn"
    assert Registration.objects.filter(pk=row.pk, withdrawn_at__isnull=False).exists()
    assert register(head_a, period, unit_a, teachers[:1])


def test_another_units_head_cannot_withdraw_a_registration(
    head_a, head_b, period, unit_a, teachers
):
    (row,) = register(head_a, period, unit_a, teachers[:1])

    with pytest.raises(NotPermitted):
        services.withdraw_registration(person=head_b, registration_id=row.pk)

    assert Registration.objects.active().filter(pk=row.pk).exists()


def test_a_registration_of_another_institution_is_not_found(head_a, period, unit_a, teachers,
                                                            other_institution):  # fmt: skip
    (row,) = register(head_a, period, unit_a, teachers[:1])
    Registration.objects.filter(pk=row.pk).update(institution=other_institution)

    with pytest.raises(NotFound):
        services.withdraw_registration(person=head_a, registration_id=row.pk)


# --- pages --------------------------------------------------------------------------------------


def test_the_unit_head_sees_only_the_own_units_registrations(
    head_a, head_b, period, unit_a, unit_b, teachers
):
    register(head_a, period, unit_a, teachers[:1])
    other = make_person(unit_b.institution, unit_b, full_name="Phan Văn Bình")
    register(head_b, period, unit_b, [other])

    text = login(head_a).get(reverse("registration_list")).content.decode()

    assert teachers[0].full_name in text and other.full_name not in text


def test_a_reviewer_sees_every_units_registrations(reviewer, head_a, period, unit_a, teachers):
    register(head_a, period, unit_a, teachers)

    text = login(reviewer).get(reverse("registration_list")).content.decode()

    assert all(t.full_name in text for t in teachers)


def test_the_registration_form_of_another_unit_answers_404(head_a, unit_b):
    url = reverse("registration_create", args=[unit_b.pk])
    assert login(head_a).get(url).status_code == 404


def test_the_registration_form_records_the_registrations(head_a, period, unit_a, teachers):
    response = login(head_a).post(reverse("registration_create", args=[unit_a.pk]), {
        "award_type": award().pk, "nominees": [t.pk for t in teachers],
        "targets": "Đạt danh hiệu Lao động tiên tiến",
    })  # fmt: skip

    assert response.status_code == 302
    assert Registration.objects.active().filter(unit=unit_a).count() == 2


def test_the_registration_form_without_anyone_chosen_stores_nothing(head_a, unit_a, period):
    response = login(head_a).post(reverse("registration_create", args=[unit_a.pk]), {
        "award_type": award().pk, "targets": "—",
    })  # fmt: skip

    assert response.status_code == 422
    assert "Hãy chọn cá nhân đăng ký, hoặc chính đơn vị." in response.content.decode()
    assert not Registration.objects.exists()


def test_the_registration_list_downloads_as_a_workbook_office_style(
    head_a, period, unit_a, teachers
):
    register(head_a, period, unit_a, teachers)

    response = login(head_a).get(reverse("registration_export"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["STT", "Đơn vị", "Đối tượng đề nghị"]
    assert sheet.freeze_panes == "A2"
    assert {sheet.cell(row=r, column=3).value for r in (2, 3)} == {t.full_name for t in teachers}


@pytest.mark.parametrize("count", [2, 12])
def test_the_registration_list_keeps_its_query_count(
    institution, head_a, period, unit_a, count, django_assert_max_num_queries
):
    people = [make_person(institution, unit_a, full_name=f"GV {n}") for n in range(count)]
    register(head_a, period, unit_a, people)
    browser = login(head_a)

    with django_assert_max_num_queries(10):
        assert browser.get(reverse("registration_list")).status_code == 200
