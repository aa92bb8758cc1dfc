"""Emulation movements: the principal launches one with its plan, every member of staff reads it."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.models import AwardType, Movement
from emulation import services
from tests.conftest import PDF_BYTES, make_person
from tests.factories import audit_mark, events_after, login
from workflow.errors import GuardFailed, NotPermitted

D = datetime.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()] if Path(media).exists() else []


def plan(content=PDF_BYTES, name="ke-hoach.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def launch(person, period, *, kind="annual", awards=("advanced_worker",), upload=None, **fields):
    values = {"name": "Phong trào thi đua “Dạy tốt, học tốt” năm 2026",
              "targets": "100% giảng viên đăng ký thi đua", "starts_on": D(2026, 1, 5),
              "ends_on": D(2026, 12, 15)} | fields  # fmt: skip
    return services.launch_movement(
        person=person, kind=kind, period=period, plan=upload or plan(),
        award_types=list(AwardType.objects.filter(code__in=awards, institution=period.institution)),
        **values,
    )  # fmt: skip


def test_the_principal_launches_a_movement_audited_with_its_plan(principal, period, media):
    mark = audit_mark()

    movement = launch(principal, period)

    event = events_after(mark).get()
    assert event.action == "movement.launched" and event.object_id == str(movement.pk)
    assert event.payload["awards"] == ["advanced_worker"]
    assert event.payload["plan"]["name"] == "ke-hoach.pdf"
    assert len(stored_files(media)) == 1


def test_a_unit_head_cannot_launch_a_movement(head_a, period, media):
    with pytest.raises(NotPermitted):
        launch(head_a, period)

    assert not Movement.objects.exists() and stored_files(media) == []


def test_an_award_not_given_in_that_kind_of_movement_is_refused_and_nothing_is_stored(
    principal, period, media
):
    mark = audit_mark()

    with pytest.raises(GuardFailed) as refusal:
        launch(principal, period, kind="ad_hoc", awards=("advanced_worker",))

    assert "not given in a movement of this kind" in refusal.value.reasons_en[0]
    assert not Movement.objects.exists() and not events_after(mark).exists()
    assert stored_files(media) == []


def test_a_plan_that_is_not_a_pdf_or_word_file_is_refused(principal, period, media):
    with pytest.raises(ValidationError) as refusal:
        launch(principal, period, upload=plan(b"MZ\x90\x00 not a pdf", "ke-hoach.pdf"))

    assert "không phải tệp PDF" in refusal.value.messages[0]
    assert not Movement.objects.exists() and stored_files(media) == []


def test_a_movement_ending_before_it_starts_is_refused_without_a_file(principal, period, media):
    with pytest.raises(GuardFailed):
        launch(principal, period, starts_on=D(2026, 6, 1), ends_on=D(2026, 5, 1))

    assert not Movement.objects.exists() and stored_files(media) == []


def test_every_member_of_staff_sees_the_movements_and_the_plan(principal, staff_a, period):
    movement = launch(principal, period)
    browser = login(staff_a)

    listing = browser.get(reverse("movement_list"))
    download = browser.get(reverse("movement_plan", args=[movement.pk]))

    assert movement.name in listing.content.decode()
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES


def test_another_institutions_movement_is_not_found(principal, period, other_institution):
    movement = launch(principal, period)
    outsider = make_person(other_institution, other_institution_unit(other_institution),
                           username="outsider")  # fmt: skip

    response = login(outsider).get(reverse("movement_detail", args=[movement.pk]))

    assert response.status_code == 404


def other_institution_unit(institution):
    from tests.conftest import make_unit

    return make_unit(institution, code="khoa-x", name="Khoa X")


def test_the_launch_page_answers_404_to_a_unit_head(head_a):
    assert login(head_a).get(reverse("movement_launch")).status_code == 404


def test_the_launch_page_launches_and_shows_the_movement(principal, period):
    award = AwardType.objects.get(code="certificate_of_merit", institution=period.institution)
    response = login(principal).post(reverse("movement_launch"), {
        "kind": "thematic", "name": "Chuyển đổi số trong dạy học", "period": period.pk,
        "targets": "Mỗi khoa một học phần trực tuyến", "starts_on": "2026-03-01",
        "ends_on": "2026-11-30", "award_types": [award.pk], "plan": plan(),
    })  # fmt: skip

    movement = Movement.objects.get()
    assert response.status_code == 302 and response.url == f"/movements/{movement.pk}/"
    assert movement.get_kind_display() == "Theo chuyên đề"


def test_the_launch_page_keeps_nothing_from_a_form_with_errors(principal, period, media):
    response = login(principal).post(reverse("movement_launch"), {
        "kind": "annual", "name": "", "period": period.pk, "targets": "",
        "starts_on": "2026-03-01", "ends_on": "2026-11-30", "plan": plan(),
    })  # fmt: skip

    assert response.status_code == 400
    assert not Movement.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize("count", [1, 8])
def test_the_movement_list_keeps_its_query_count(
    principal, staff_a, period, count, django_assert_max_num_queries
):
    for n in range(count):
        launch(principal, period, name=f"Phong trào {n}")
    browser = login(staff_a)

    with django_assert_max_num_queries(9):
        assert browser.get(reverse("movement_list")).status_code == 200


def test_a_movement_of_an_unknown_kind_is_refused_and_nothing_is_stored(principal, period, media):
    with pytest.raises(GuardFailed):
        launch(principal, period, kind="yearly")

    assert not Movement.objects.exists() and stored_files(media) == []
