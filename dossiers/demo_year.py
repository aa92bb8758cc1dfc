"""The start of the demo's year: the principal launches the movements, each unit registers.

Played before the nominations (dossiers.demo_cycle), through the same services people use, so
the registrations, the audit events and the warnings are real: one nominee of the first unit is
left unregistered, and the registration rule warns the reviewer and the council about them. The
first unit then holds its evaluation meeting over its drafts, whose minutes go into each.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dossiers.models import AwardType, Institution, MovementKind, Period, Person
from emulation import services as emulation

ANNUAL = {
    "name": "Phong trào thi đua “Dạy tốt, học tốt, phục vụ tốt”",
    "targets": "100% viên chức đăng ký thi đua; ít nhất 70% đạt danh hiệu Lao động tiên tiến; "
               "mỗi khoa có ít nhất một sáng kiến được công nhận.",
    "theme": "Đổi mới căn bản, toàn diện giáo dục và đào tạo; nâng cao chất lượng đào tạo "
             "giáo viên.",
    "awards": ["advanced_worker", "grassroots_emulation_fighter", "advanced_collective",
               "certificate_of_merit"],
}  # fmt: skip
THEMATIC = {
    "name": "Thi đua chuyển đổi số trong dạy học",
    "targets": "Mỗi khoa xây dựng ít nhất một học phần dạy học trực tuyến.",
    "awards": ["certificate_of_merit"],
}


def launch_movements(institution: Institution, period: Period, plan_pdf: bytes) -> None:
    principal = Person.objects.get(institution=institution, user__username="hieutruong")
    for kind, spec in ((MovementKind.ANNUAL, ANNUAL), (MovementKind.THEMATIC, THEMATIC)):
        emulation.launch_movement(
            person=principal, kind=kind, name=spec["name"], period=period,
            targets=spec["targets"], theme=spec.get("theme", ""),
            starts_on=period.starts_on + datetime.timedelta(days=14), ends_on=period.ends_on,
            award_types=list(AwardType.objects.filter(institution=institution,
                                                      code__in=spec["awards"])),
            plan=SimpleUploadedFile("ke-hoach-phong-trao.pdf", plan_pdf,
                                    content_type="application/pdf"),
        )  # fmt: skip


def register_units(heads: dict[str, Person], nominees: dict[str, list[Person]], period) -> Person:
    """Each unit registers its nominees for Advanced Worker and itself as an Advanced Collective;
    the first unit forgets one nominee, who is returned (and warned about)."""
    institution = period.institution
    worker = AwardType.objects.get(institution=institution, code="advanced_worker")
    collective = AwardType.objects.get(institution=institution, code="advanced_collective")
    movement = period.movements.get(kind=MovementKind.ANNUAL)
    forgotten = None
    for index, (code, head) in enumerate(heads.items()):
        people = list(nominees[code])
        if index == 0 and len(people) > 3:
            forgotten = people.pop(3)
        emulation.register(
            person=head, period=period, unit=head.unit, award_type=worker, nominees=people,
            targets="Hoàn thành tốt nhiệm vụ; không vi phạm kỷ luật; tham gia bồi dưỡng "
                    "chuyên môn đủ số giờ quy định.", movement=movement,
        )  # fmt: skip
        emulation.register(
            person=head, period=period, unit=head.unit, award_type=collective,
            the_unit_itself=True, movement=movement,
            targets="Tập thể hoàn thành tốt nhiệm vụ; 70% thành viên đạt Lao động tiên tiến.",
        )  # fmt: skip
    return forgotten


def unit_meeting(head: Person, period: Period, drafts: list) -> None:
    """The unit's evaluation meeting over its drafts: one member absent, the first nominee by
    show of hands, the others by votes; its minutes go into each dossier."""
    from evaluation import services as evaluation

    members = list(head.unit.members.filter(is_active=True).order_by("full_name"))
    absent = next(m for m in members if m != head)
    secretary = next(m for m in members if m not in (head, absent))
    present = len(members) - 1
    results = [
        evaluation.Result(dossier=d, unanimous=True)
        if n == 0
        else evaluation.Result(dossier=d, agree=present - n % 3, disagree=n % 3)
        for n, d in enumerate(drafts)
    ]
    evaluation.record_meeting(
        person=head, unit=head.unit, period=period,
        held_on=timezone.make_aware(
            datetime.datetime.combine(timezone.localdate(), datetime.time(14, 0))
        ),
        ended_at=datetime.time(16, 30), place="Phòng họp khoa", chair=head, secretary=secretary,
        content="Bình xét danh hiệu thi đua năm học theo kết quả đăng ký đầu kỳ.",
        attendance=[evaluation.Presence(m, m != absent, "Đi công tác" if m == absent else "")
                    for m in members],
        results=results,
    )  # fmt: skip
