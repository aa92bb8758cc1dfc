"""The minutes (biên bản) of a closed council meeting, rendered to PDF with WeasyPrint.

The minutes are an official Vietnamese document: their text is Vietnamese whatever the reader's
language. Rendered through documents.rendering.render_pdf, cached under the hash of the HTML, so an
unchanged meeting is never rendered twice and any change (a corrected name) renders afresh.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from council import selectors
from council.models import Meeting, MeetingMember, Recusal
from documents.rendering import nd30_date, render_pdf

ATTENDANCE_WORDS = {
    MeetingMember.Attendance.PRESENT: "Có mặt",
    MeetingMember.Attendance.IN_WRITING: "Vắng mặt, có ý kiến bằng văn bản",
    MeetingMember.Attendance.ABSENT: "Vắng mặt",
}
GROUND_WORDS = {
    Recusal.Ground.NOMINEE: "là người được đề nghị",
    Recusal.Ground.HEADS_NOMINATED_UNIT: "là thủ trưởng tập thể được đề nghị",
}
COMPARISON_WORDS = {"at_least": "từ", "more_than": "trên"}
BASE_WORDS = {
    "total_membership": "tổng số thành viên Hội đồng",
    "members_present": "số thành viên tham gia biểu quyết",
}


def minutes_pdf(meeting: Meeting) -> bytes:
    """The PDF of a closed meeting (members and agenda prefetched); refused before it closes."""
    pdf, _key = render_pdf("council/minutes.html", minutes_context(meeting))
    return pdf


def minutes_context(meeting: Meeting) -> dict:
    results = selectors.results(meeting)
    recusals = selectors.recusals_by_item(meeting)
    return {
        "meeting": meeting,
        "institution": meeting.institution,
        "dated": document_date(meeting.institution.place, meeting.held_on),
        "attendance": [
            (ATTENDANCE_WORDS[value], members)
            for value, _label, members in selectors.attendance(meeting)
        ],
        "total": len(meeting.members.all()),
        "voters": results.voters,
        "items": results.items,
        "rules": list(
            dict.fromkeys((i.dossier.award_type.name_vi, rule_words(i)) for i in results.items)
        ),
        "receipts": results.receipts,
        "recusals": [
            (item, [(r.person.full_name, GROUND_WORDS[r.ground]) for r in recusals[item.pk]])
            for item in results.items
            if item.pk in recusals
        ],
    }


def document_date(place: str, moment: datetime.datetime) -> str:
    """'Bắc Ninh, ngày 05 tháng 01 năm 2027': day below 10 and months 1-2 with a leading zero."""
    return f"{place}, {nd30_date(timezone.localtime(moment).date())}"


def rule_words(item) -> str:
    """'từ 80% tổng số thành viên Hội đồng': the rule the item was decided by."""
    percent = f"{item.threshold_percent.normalize():f}".replace(".", ",")
    comparison = COMPARISON_WORDS.get(item.threshold_comparison, item.threshold_comparison)
    base = BASE_WORDS.get(item.threshold_base, item.threshold_base)
    return f"{comparison} {percent}% {base}"
