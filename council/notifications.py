"""Mails about the council vote, composed and sent the way workflow.notifications sends them."""

from __future__ import annotations

from django.db import transaction

from council.models import Meeting
from dossiers.models import Person
from workflow import notifications


def notify_written_opinion_recorded(meeting: Meeting, member: Person, *, recorded_by: Person):
    """After commit, tell the member that a written opinion was entered in their name, so one
    entered without them does not go unnoticed."""
    meeting_id, member_id, secretary_id = meeting.pk, member.pk, recorded_by.pk
    transaction.on_commit(
        lambda: _written_opinion_recorded(meeting_id, member_id, secretary_id), robust=True
    )


def _written_opinion_recorded(meeting_id: int, member_id: int, secretary_id: int) -> int:
    meeting = Meeting.objects.select_related("institution").get(pk=meeting_id)
    people = {p.pk: p for p in Person.objects.filter(pk__in=[member_id, secretary_id])}
    member = notifications.reachable(Person.objects.filter(pk=member_id)).first()
    if member is None:
        return 0
    mail = notifications.compose(
        "written_opinion_recorded", member, institution=meeting.institution,
        meeting=meeting, secretary=people[secretary_id],
    )  # fmt: skip
    return notifications.send([mail])
