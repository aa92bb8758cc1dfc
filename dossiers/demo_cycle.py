"""The demo's dossiers, played through the real services so every stage has something to see.

Runs once per institution (when it has no dossier yet): drafts, submitted, returned, reviewed
dossiers, and a closed council meeting whose dossiers are recommended or not.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from dossiers import services as dossier_services
from dossiers.models import AnnualRating, AwardType, Dossier, Institution, Period, Person, Rating
from dossiers.models import Role as R
from workflow import services as lifecycle

# A one-page PDF, valid enough for any reader: the demo's stand-in for scanned documents.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
SUMMARY = (
    "Hoàn thành xuất sắc nhiệm vụ giảng dạy và nghiên cứu khoa học; tích cực đổi mới phương "
    "pháp dạy học, hướng dẫn sinh viên thực tập sư phạm đạt kết quả tốt."
)


def _person(institution, username) -> Person:
    return Person.objects.select_related("unit").get(
        institution=institution, user__username=username
    )


def _documents(award: AwardType):
    return [
        (kind, SimpleUploadedFile(f"{kind.code}.pdf", DEMO_PDF, content_type="application/pdf"))
        for kind in award.required_document_kinds.order_by("code")
    ]


def _eligible_staff(unit, period, count: int) -> list[Person]:
    """Staff of the unit rated at least 'completed well' and not disciplined in the period."""
    rated = AnnualRating.objects.filter(
        period=period, person__unit=unit, rating__gte=Rating.COMPLETED_WELL
    ).exclude(person__disciplinary_records__period=period)
    heads = [p for p in unit.members.filter(role_assignments__role=R.UNIT_HEAD)]
    return [r.person for r in rated.select_related("person").order_by("person__full_name")
            if r.person not in heads][:count]  # fmt: skip


def _act(dossier: Dossier, action: str, person: Person, **kwargs) -> Dossier:
    return lifecycle.transition(
        dossier_id=dossier.pk, action=action, person=person,
        expected_version=dossier.version, **kwargs,
    )  # fmt: skip


@transaction.atomic
def play_demo_cycle(institution: Institution, period: Period) -> int:
    """Create the demo dossiers unless the institution has some; return how many were created."""
    if Dossier.objects.of(institution).exists():
        return 0
    advanced = AwardType.objects.get(institution=institution, code="advanced_worker")
    reviewer = _person(institution, "thamdinh")
    created = []
    plan = {"gdth": 6, "gdmn": 5, "khtn": 4, "khxh": 3, "nn": 2}
    for unit_code, count in plan.items():
        head = _person(institution, f"truong.{unit_code}")
        for n, nominee in enumerate(_eligible_staff(head.unit, period, count)):
            dossier = dossier_services.create_dossier(
                person=head, unit=head.unit, period=period, award_type=advanced,
                achievement_summary=SUMMARY, nominee_person=nominee,
                documents=_documents(advanced),
            )  # fmt: skip
            created.append(dossier)
            if n == 0:
                continue  # left as a draft
            dossier = _act(dossier, "submit", head)
            if n == 1:
                continue  # waiting for review
            if n == 2:
                _act(dossier, "return_for_revision", reviewer,
                     reason="Bổ sung minh chứng kết quả đánh giá, xếp loại năm nay.")  # fmt: skip
                continue
            _act(dossier, "approve", reviewer)
    _council_meeting(institution, period, [d for d in created if d.pk])
    return len(created)


def _council_meeting(institution, period, dossiers) -> None:
    """A closed meeting on part of the reviewed dossiers: every member votes, most agree."""
    from workflow.council import services as council

    reviewed = list(Dossier.objects.of(institution).filter(state="reviewed").order_by("pk"))
    if len(reviewed) < 3:
        return
    secretary = _person(institution, "thuky")
    chair = _person(institution, "hieutruong")
    meeting = council.create_meeting(
        person=secretary, period=period, title=f"Phiên họp xét thi đua {period.name}",
        held_on=timezone.now() - datetime.timedelta(days=1), place="Phòng họp tầng 2, nhà A",
        chair=chair,
    )  # fmt: skip
    agenda = reviewed[: len(reviewed) - 2]  # two stay reviewed, for the next meeting
    items = council.set_agenda(
        meeting_id=meeting.pk, person=secretary, dossier_ids=[d.pk for d in agenda]
    )
    council.open_meeting(meeting_id=meeting.pk, person=secretary)
    members = list(meeting.members.select_related("person"))
    for n, member in enumerate(members):
        # The last item gets few agree votes, so the demo shows a "not recommended" too.
        choices = {
            item.pk: "disagree" if (item is items[-1] and n % 3) else "agree" for item in items
        }
        council.cast_ballot(meeting_id=meeting.pk, person=member.person, choices=choices)
    council.close_meeting(meeting_id=meeting.pk, person=secretary)
