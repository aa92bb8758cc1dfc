"""Recording the unit's evaluation meeting, and putting its minutes into each nominee's dossier.

One transaction: the meeting, its attendance and results, the rendered minutes attached to each
dossier the unit head may still edit (through the dossier's own document service, so hashing,
storage, supersession and the dossier's audit events are those of an upload), and the meeting's
audit event. Any refusal or failure stores nothing and leaves no file.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _

from audit import log
from dossiers import services as dossier_services
from dossiers.models import Document, DocumentKind, Dossier, Period, Person, Unit
from evaluation import minutes, selectors
from evaluation.models import Attendance, Evaluation, UnitMeeting
from workflow import permissions
from workflow.errors import StaleVersion, UnitMeetingNotFound

MINUTES_KIND = "unit_minutes"  # the document kind of the unit's minutes (catalogue_defaults)


@dataclass(frozen=True)
class Presence:
    """One member of the unit at the meeting."""

    person: Person
    present: bool
    absence_reason: str = ""


@dataclass(frozen=True)
class Result:
    """The meeting's judgement of one dossier: votes, or agreed unanimously by show of hands."""

    dossier: Dossier
    unanimous: bool = False
    agree: int | None = None
    disagree: int | None = None
    note: str = ""


@dataclass
class Recorded:
    """The meeting written, and which dossiers received its minutes and which could not."""

    meeting: UnitMeeting
    attached: list[Dossier] = field(default_factory=list)
    not_updated: list[Dossier] = field(default_factory=list)


@dataclass(frozen=True)
class Details:
    """What a meeting records besides its unit and period (shared by recording and editing)."""

    held_on: datetime.datetime
    ended_at: datetime.time
    place: str
    chair: Person
    secretary: Person
    attendance: list[Presence]
    results: list[Result]
    content: str = ""


def record_meeting(
    *, person: Person, unit: Unit, period: Period, client_address: str = "", **details
) -> Recorded:
    """Record a new meeting of the unit for the period; only the head of that unit may."""
    acting = permissions.require(person, "unit_meeting.record", unit)
    meeting = UnitMeeting(
        institution_id=person.institution_id, unit=unit, period=period, recorded_by=person
    )
    actor = log.Actor.acting(person, acting, client_address)
    return _write(meeting, Details(**details), actor, "unit_meeting.recorded")


def edit_meeting(
    *, meeting_id: int, person: Person, expected_version: int, client_address: str = "", **details
) -> Recorded:
    """Correct a recorded meeting; its minutes are rendered again and supersede the earlier."""
    meeting = selectors.visible_meetings(person).filter(pk=meeting_id).first()
    if meeting is None:
        raise UnitMeetingNotFound()
    acting = permissions.require(person, "unit_meeting.record", meeting)
    actor = log.Actor.acting(person, acting, client_address)
    return _write(meeting, Details(**details), actor, "unit_meeting.edited", expected_version)


def _write(meeting, details: Details, actor, action, expected_version=None) -> Recorded:
    with dossier_services.files_removed_on_failure() as stored:
        if meeting.pk is not None:
            meeting = UnitMeeting.objects.select_for_update().get(pk=meeting.pk)
            if meeting.version != expected_version:
                raise StaleVersion()
            meeting.version += 1
        earlier = {}
        if meeting.pk is not None:
            earlier = dict(meeting.evaluations.values_list("dossier_id", "document_id"))
        _save_meeting(meeting, details)
        pdf = minutes.minutes_pdf(selectors.meeting_for_minutes(meeting.pk))
        recorded = Recorded(meeting=meeting)
        for evaluation in meeting.evaluations.select_related("dossier"):
            _attach(meeting, evaluation, pdf, actor, stored, recorded)
        for dossier_id in set(earlier) - {e.dossier_id for e in meeting.evaluations.all()}:
            _withdraw_minutes(dossier_id, earlier[dossier_id], actor)
        log.append(
            institution=meeting.institution, actor=actor, action=action,
            object_type="unit_meeting", object_id=meeting.pk,
            payload=_payload(meeting, pdf, recorded),
        )  # fmt: skip
    return recorded


def _save_meeting(meeting: UnitMeeting, details: Details) -> None:
    """The meeting row, its attendance and its results, each checked by its model."""
    if not details.results:
        raise ValidationError(_("Choose at least one nominee the meeting evaluated."))
    dossier_ids = [r.dossier.pk for r in details.results]
    if len(set(dossier_ids)) != len(dossier_ids):
        raise ValidationError(_("A nominee is listed twice."))
    listed = {p.person.pk for p in details.attendance}
    members = Person.objects.filter(unit_id=meeting.unit_id, is_active=True).values_list("pk")
    if {pk for (pk,) in members} - listed:
        # The total printed ("có mặt 12/14") is the unit's membership, so nobody may be left out.
        raise ValidationError(_("List every member of the unit, as present or absent."))
    meeting.held_on, meeting.ended_at = details.held_on, details.ended_at
    meeting.place, meeting.content = details.place, details.content
    meeting.chair, meeting.secretary = details.chair, details.secretary
    meeting.membership_total = len(details.attendance)
    meeting.present_count = sum(1 for p in details.attendance if p.present)
    _checked(meeting.full_clean)
    meeting.save()
    meeting.attendances.all().delete()
    meeting.evaluations.all().delete()
    attendances = [_attendance(meeting, presence) for presence in details.attendance]
    _checked(meeting.check_attendance, attendances)
    dossiers = Dossier.objects.of(meeting.institution_id).in_bulk(dossier_ids)
    evaluations = [
        _evaluation(meeting, position, result, dossiers.get(result.dossier.pk, result.dossier))
        for position, result in enumerate(details.results, start=1)
    ]
    for row in (*attendances, *evaluations):
        _checked(row.full_clean, exclude=["meeting"], about=row)
    Attendance.objects.bulk_create(attendances)
    for evaluation in evaluations:
        evaluation.save()


def _checked(check, *args, about=None, **kwargs) -> None:
    """Run a model's check; its refusal as plain messages (naming the member or nominee), which
    every caller shows alike whatever fields its form has."""
    try:
        check(*args, **kwargs)
    except ValidationError as error:
        prefix = f"{about}: " if about is not None else ""
        messages = dict.fromkeys(f"{prefix}{message}" for message in error.messages)
        raise ValidationError(list(messages)) from None


def _attendance(meeting: UnitMeeting, presence: Presence) -> Attendance:
    reason = "" if presence.present else presence.absence_reason.strip()
    return Attendance(
        institution_id=meeting.institution_id, meeting=meeting, person=presence.person,
        present=presence.present, absence_reason=reason,
    )  # fmt: skip


def _evaluation(meeting: UnitMeeting, position: int, result: Result, dossier) -> Evaluation:
    return Evaluation(
        institution_id=meeting.institution_id, meeting=meeting, position=position,
        dossier=dossier, unanimous=result.unanimous, agree=result.agree,
        disagree=result.disagree, note=result.note.strip(),
    )  # fmt: skip


def _attach(meeting, evaluation: Evaluation, pdf: bytes, actor, stored, recorded) -> None:
    """The minutes into one dossier, replacing its current unit minutes, if still editable."""
    person = actor.person
    dossier = Dossier.objects.select_for_update().get(pk=evaluation.dossier_id)
    if not dossier.is_editable or permissions.may(person, "dossier.edit", dossier) is None:
        recorded.not_updated.append(dossier)
        return
    kind = DocumentKind.objects.get(code=MINUTES_KIND)
    current = Document.objects.filter(dossier=dossier, kind=kind, superseded_at__isnull=True)
    for document_id in current.values_list("pk", flat=True):
        dossier_services.remove_document(
            document_id=document_id, person=person, expected_version=dossier.version,
            client_address=actor.client_address,
        )  # fmt: skip
        dossier.refresh_from_db(fields=["version"])
    name = f"bien-ban-hop-binh-xet-{meeting.pk}-{meeting.version}.pdf"
    document = dossier_services.add_document(
        dossier_id=dossier.pk, person=person, expected_version=dossier.version, kind=kind,
        upload=SimpleUploadedFile(name, pdf, content_type="application/pdf"),
        client_address=actor.client_address,
    )  # fmt: skip
    stored.append(document)
    evaluation.document = document
    evaluation.save(update_fields=["document"])
    recorded.attached.append(dossier)


def _withdraw_minutes(dossier_id: int, document_id: int | None, actor) -> None:
    """A dossier taken off the meeting loses the minutes it had from it (while editable)."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    document = Document.objects.filter(pk=document_id, superseded_at__isnull=True).first()
    if document is None or not dossier.is_editable:
        return
    if permissions.may(actor.person, "dossier.edit", dossier) is None:
        return
    dossier_services.remove_document(
        document_id=document.pk, person=actor.person, expected_version=dossier.version,
        client_address=actor.client_address,
    )  # fmt: skip


def _payload(meeting: UnitMeeting, pdf: bytes, recorded: Recorded) -> dict:
    return {
        "unit": meeting.unit_id,
        "period": meeting.period_id,
        "held_on": meeting.held_on.isoformat(),
        "present": meeting.present_count,
        "members": meeting.membership_total,
        "chair": meeting.chair_id,
        "secretary": meeting.secretary_id,
        "results": [
            {
                "dossier": e.dossier_id,
                "unanimous": e.unanimous,
                "agree": e.agree,
                "disagree": e.disagree,
            }
            for e in meeting.evaluations.all()
        ],
        "minutes_sha256": hashlib.sha256(pdf).hexdigest(),
        "attached": [d.pk for d in recorded.attached],
        "not_updated": [d.pk for d in recorded.not_updated],
    }
