"""The minutes (biên bản) of a unit's evaluation meeting, rendered to PDF in the office's form.

An official Vietnamese document: its text is Vietnamese whatever the reader's language, laid out
with the Nghị định 30 header the other documents share (documents.rendering).
"""

from __future__ import annotations

from django.utils import timezone

from documents.rendering import nd30_date, render_pdf
from evaluation.models import Evaluation, UnitMeeting


def minutes_pdf(meeting: UnitMeeting) -> bytes:
    """The PDF of a recorded meeting (its attendance and evaluations prefetched)."""
    pdf, _key = render_pdf("evaluation/minutes.html", minutes_context(meeting))
    return pdf


def minutes_context(meeting: UnitMeeting) -> dict:
    attendances = list(meeting.attendances.all())
    held_on = timezone.localtime(meeting.held_on)
    return {
        "meeting": meeting,
        "institution": meeting.institution,
        "held_on": held_on,
        "dated": f"{meeting.institution.place}, {nd30_date(held_on.date())}",
        "present": [a for a in attendances if a.present],
        "absent": [a for a in attendances if not a.present],
        "results": [(e, result_words(e)) for e in meeting.evaluations.all()],
    }


def result_words(evaluation: Evaluation) -> str:
    """'Đồng ý 11/12 (91,7%), không đồng ý 1/12', or 'Thống nhất 100%' by show of hands."""
    if evaluation.unanimous:
        return "Thống nhất 100% (biểu quyết giơ tay)"
    present = evaluation.meeting.present_count
    share = f"{evaluation.agree_share:.1f}".removesuffix(".0").replace(".", ",")
    return (
        f"Đồng ý {evaluation.agree}/{present} ({share}%), "
        f"không đồng ý {evaluation.disagree}/{present}"
    )
