"""Council meetings through the API: the list and one meeting as its pages show them, the
secretary's preparation (create, agenda, attendance, open, close, written opinions), a member's
secret ballot, and the minutes.

Every write calls the service the meeting pages call (council.services); reads come from
council.selectors. Nothing here reads a ballot's content or keeps a receipt: a receipt code is in
the one response to the ballot, and a later read says only whether the caller has voted.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import DOWNLOAD_RENDERERS, ApiMixin
from api.dossiers import MAX_ID, UPLOAD_OVERHEAD, DossierOut
from api.serializers import AwardRef, PeriodRef, PersonRef, UnitRef
from council import minutes, selectors, services
from council.forms import MeetingForm
from council.models import Choice, Meeting, MeetingMember, Recusal
from documents.rendering import inline_pdf
from dossiers.limits import limited
from dossiers.models import AwardType, Period, State
from dossiers.uploads import TOO_LARGE, check_upload
from workflow import permissions
from workflow.errors import Conflict, MeetingNotFound, NotPermitted

# Shapes -------------------------------------------------------------------------------------


class AgendaDossierOut(serializers.Serializer):
    """A dossier as the agenda and the ballot show it (no join beyond the agenda's)."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField(source="get_state_display")
    version = serializers.IntegerField()
    unit = UnitRef()
    award_type = AwardRef()
    nominee = serializers.SerializerMethodField()
    achievement_summary = serializers.CharField()

    get_nominee = DossierOut.get_nominee


class RecusalOut(serializers.Serializer):
    member = PersonRef(source="person")
    ground = serializers.ChoiceField(choices=Recusal.Ground.choices)
    ground_label = serializers.CharField(source="get_ground_display")


class TallyOut(serializers.Serializer):
    """An item's count and outcome, stored when the vote closed, with the rule it was decided by."""

    agree = serializers.IntegerField()
    disagree = serializers.IntegerField()
    abstain = serializers.IntegerField()
    recused = serializers.IntegerField()
    recommended = serializers.BooleanField()
    threshold_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    threshold_comparison = serializers.ChoiceField(choices=AwardType.Comparison.choices)
    threshold_base = serializers.ChoiceField(choices=AwardType.VoteBase.choices)

    def to_representation(self, item):
        body = super().to_representation(item)
        body["recused"] = item.recused or 0
        return body


class AgendaItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    dossier = AgendaDossierOut()
    recusals = serializers.SerializerMethodField()
    caller_is_recused = serializers.SerializerMethodField()
    tally = serializers.SerializerMethodField()

    @extend_schema_field(RecusalOut(many=True))
    def get_recusals(self, item) -> list:
        return RecusalOut(self.context["recusals"].get(item.pk, []), many=True).data

    def get_caller_is_recused(self, item) -> bool:
        person_id = self.context["person"].pk
        return any(r.person_id == person_id for r in self.context["recusals"].get(item.pk, []))

    @extend_schema_field(TallyOut(allow_null=True))
    def get_tally(self, item) -> dict | None:
        """Published once the vote is closed; nothing, not even a partial count, before."""
        if self.context["results"] is None:
            return None
        return TallyOut(item).data


class AttendanceOut(serializers.Serializer):
    member = PersonRef(source="person")
    unit = UnitRef(source="person.unit")
    attendance = serializers.ChoiceField(choices=MeetingMember.Attendance.choices)
    attendance_label = serializers.CharField(source="get_attendance_display")


class ResultsOut(serializers.Serializer):
    """How many voted, and the code of every ballot counted: never what a code's ballot said."""

    voters = serializers.IntegerField()
    receipts = serializers.ListField(child=serializers.CharField())


class MeetingOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    held_on = serializers.DateTimeField()
    place = serializers.CharField()
    state = serializers.ChoiceField(choices=Meeting.State.choices)
    state_label = serializers.CharField(source="get_state_display")
    period = PeriodRef()
    chair = PersonRef()
    opened_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class MeetingDetailOut(MeetingOut):
    """The meeting page and, once closed, the results page, with what the caller may do."""

    secretary = PersonRef()
    members = serializers.SerializerMethodField()
    ballots_cast = serializers.SerializerMethodField()
    agenda = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()
    may_manage = serializers.SerializerMethodField()
    may_vote = serializers.SerializerMethodField()
    why_cannot_vote = serializers.SerializerMethodField()
    has_voted = serializers.SerializerMethodField()

    def get_members(self, meeting) -> int:
        return len(meeting.members.all())

    def get_ballots_cast(self, meeting) -> int:
        """How many have voted (a count of participations): all the page shows during the vote."""
        return self.context["cast"]

    @extend_schema_field(AgendaItemOut(many=True))
    def get_agenda(self, meeting) -> list:
        return AgendaItemOut(meeting.agenda.all(), many=True, context=self.context).data

    @extend_schema_field(AttendanceOut(many=True))
    def get_attendance(self, meeting) -> list:
        return AttendanceOut(meeting.members.all(), many=True).data

    @extend_schema_field(ResultsOut(allow_null=True))
    def get_results(self, meeting) -> dict | None:
        results = self.context["results"]
        return None if results is None else ResultsOut(results).data

    def get_may_manage(self, meeting) -> bool:
        return selectors.may_manage_meetings(self.context["person"])

    def get_may_vote(self, meeting) -> bool:
        return self.context["why_cannot_vote"] is None

    def get_why_cannot_vote(self, meeting) -> str | None:
        why = self.context["why_cannot_vote"]
        return None if why is None else str(why)

    def get_has_voted(self, meeting) -> bool:
        return selectors.has_voted(meeting, self.context["person"])


class MeetingIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    held_on = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    chair = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class AgendaIn(serializers.Serializer):
    dossiers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=500
    )


class AttendanceEntry(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    attendance = serializers.ChoiceField(choices=MeetingMember.Attendance.choices)


class AttendanceIn(serializers.Serializer):
    """Some or all members, each with their attendance; the others keep theirs."""

    attendance = AttendanceEntry(many=True, allow_empty=False, max_length=1000)

    def validate_attendance(self, entries):
        return _once_each(entries, "member", _("Each member may appear once."))


class ChoiceIn(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    choice = serializers.ChoiceField(choices=Choice.choices)


class BallotIn(serializers.Serializer):
    """One choice per agenda item, none for an item the member is recused from."""

    choices = ChoiceIn(many=True, max_length=500)

    def validate_choices(self, entries):
        return _once_each(entries, "item", _("Each agenda item may appear once."))


@extend_schema_field(
    {"type": "string", "description": 'JSON: [{"item": <agenda item id>, "choice": "agree"}]'}
)
class ChoicesAsJson(serializers.Field):
    """The choices of a multipart request, sent as one JSON part."""

    def to_internal_value(self, data):
        try:
            parsed = json.loads(data) if isinstance(data, str) else None
        except ValueError:
            parsed = None
        if not isinstance(parsed, list):
            raise serializers.ValidationError(_("Send the choices as a JSON list."))
        ballot = BallotIn(data={"choices": parsed})
        if not ballot.is_valid():
            raise serializers.ValidationError(ballot.errors["choices"])
        return ballot.validated_data["choices"]


class WrittenBallotIn(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    choices = ChoicesAsJson()
    opinion = serializers.FileField()


class ReceiptOut(serializers.Serializer):
    """The receipt code, shown this once and stored nowhere in clear."""

    meeting = serializers.IntegerField()
    receipt = serializers.CharField()


class WrittenReceiptOut(ReceiptOut):
    member = PersonRef()


def _once_each(entries: list[dict], key: str, message: str) -> list[dict]:
    ids = [entry[key] for entry in entries]
    if len(ids) != len(set(ids)):
        raise serializers.ValidationError(message)
    return entries


# Helpers ------------------------------------------------------------------------------------


def visible_or_404(person, pk: int) -> Meeting:
    meeting = selectors.meeting_detail(person, pk) if 0 < pk <= MAX_ID else None
    if meeting is None:
        raise MeetingNotFound()
    return meeting


def managed_or_403(person, pk: int) -> Meeting:
    """A meeting the caller may see and prepare: 404 when unseen, 403 without the role."""
    meeting = visible_or_404(person, pk)
    permissions.require(person, "meeting.manage", meeting)
    return meeting


def meeting_response(view, pk: int, status_code=status.HTTP_200_OK) -> Response:
    """The meeting as everyone who may see it sees it (read afresh after a write); else 404."""
    person = view.person
    meeting = visible_or_404(person, pk)
    closed = meeting.state == Meeting.State.CLOSED
    context = {
        "person": person,
        "cast": selectors.ballots_cast(meeting),
        "recusals": selectors.recusals_by_item(meeting),
        "results": selectors.results(meeting) if closed else None,
        "why_cannot_vote": selectors.why_cannot_vote(meeting, person),
    }
    return Response(MeetingDetailOut(meeting, context=context).data, status=status_code)


def agenda_choices(meeting: Meeting, entries: list[dict]) -> dict[int, str]:
    """{agenda item id: choice}; an item of no agenda of this meeting is malformed input."""
    items = {item.pk for item in meeting.agenda.all()}
    unknown = sorted(entry["item"] for entry in entries if entry["item"] not in items)
    if unknown:
        message = _("Item {id} is not on this meeting's agenda.")
        raise serializers.ValidationError({"choices": [message.format(id=pk) for pk in unknown]})
    return {entry["item"]: entry["choice"] for entry in entries}


def receipt_response(body: dict) -> Response:
    response = Response(body, status=status.HTTP_201_CREATED)
    add_never_cache_headers(response)
    return response


# Views --------------------------------------------------------------------------------------


class MeetingList(ApiMixin, generics.GenericAPIView):
    """The meetings you may see; the council secretary plans a new one in the current period."""

    serializer_class = MeetingOut

    @extend_schema(responses=MeetingOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.meeting_list(self.person))
        return self.get_paginated_response(MeetingOut(page, many=True).data)

    @extend_schema(request=MeetingIn, responses={201: MeetingDetailOut})
    def post(self, request):
        person = self.person
        permissions.require(person, "meeting.manage")
        body = MeetingIn(data=request.data)
        body.is_valid(raise_exception=True)
        period = Period.objects.of(person.institution).filter(is_current=True).first()
        if period is None:
            raise Conflict(_("There is no current period. Ask the administrator to open one."))
        form = MeetingForm(body.validated_data, members=selectors.council_members(person))
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        meeting = services.create_meeting(
            person=person, period=period, client_address=self.client_address, **form.cleaned_data
        )
        response = meeting_response(self, meeting.pk, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/meetings/{meeting.pk}/"
        return response


class MeetingDetail(ApiMixin, APIView):
    """One meeting: agenda, attendance, recusals, the count of ballots while the vote is open,
    each item's tally and the receipt codes once it is closed, and whether you may vote."""

    @extend_schema(responses=MeetingDetailOut)
    def get(self, request, pk: int):
        return meeting_response(self, pk)


class AgendaView(ApiMixin, APIView):
    """Set the agenda before the vote opens: reviewed dossiers of the meeting's period, in order."""

    @extend_schema(request=AgendaIn, responses=MeetingDetailOut)
    def put(self, request, pk: int):
        managed_or_403(self.person, pk)
        body = AgendaIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.set_agenda(
            meeting_id=pk,
            person=self.person,
            dossier_ids=body.validated_data["dossiers"],
            client_address=self.client_address,
        )
        return meeting_response(self, pk)


class AgendaCandidates(ApiMixin, generics.GenericAPIView):
    """The dossiers the agenda may take: the reviewed dossiers of the meeting's period."""

    serializer_class = AgendaDossierOut

    @extend_schema(responses=AgendaDossierOut(many=True))
    def get(self, request, pk: int):
        meeting = managed_or_403(self.person, pk)
        page = self.paginate_queryset(selectors.agenda_candidates(meeting))
        return self.get_paginated_response(AgendaDossierOut(page, many=True).data)


class AttendanceView(ApiMixin, APIView):
    """Record who is present, absent, or absent with a written opinion, before the vote opens."""

    @extend_schema(request=AttendanceIn, responses=MeetingDetailOut)
    def post(self, request, pk: int):
        managed_or_403(self.person, pk)
        body = AttendanceIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.record_attendance(
            meeting_id=pk,
            person=self.person,
            attendance={e["member"]: e["attendance"] for e in body.validated_data["attendance"]},
            client_address=self.client_address,
        )
        return meeting_response(self, pk)


class MeetingAction(ApiMixin, APIView):
    """A button of the meeting page: one service, no input."""

    service = None

    @extend_schema(request=None, responses=MeetingDetailOut)
    def post(self, request, pk: int):
        managed_or_403(self.person, pk)
        self.service(meeting_id=pk, person=self.person, client_address=self.client_address)
        return meeting_response(self, pk)


class OpenView(MeetingAction):
    """Open the vote: attendance and agenda are fixed, the agenda's dossiers go to voting."""

    service = staticmethod(services.open_meeting)


class CloseView(MeetingAction):
    """Close the vote: each item's tally and outcome, the dossiers moved, the receipts published."""

    service = staticmethod(services.close_meeting)


class BallotView(ApiMixin, APIView):
    """Cast your own secret ballot: one choice per agenda item, once. The answer carries the
    receipt code, shown this once; nothing read later joins you to your choices."""

    @extend_schema(request=BallotIn, responses={201: ReceiptOut})
    def post(self, request, pk: int):
        person = self.person
        meeting = visible_or_404(person, pk)
        if selectors.membership(meeting, person) is None:
            raise NotPermitted(selectors.why_cannot_vote(meeting, person))
        body = BallotIn(data=request.data)
        body.is_valid(raise_exception=True)
        receipt = services.cast_ballot(
            meeting_id=pk,
            person=person,
            choices=agenda_choices(meeting, body.validated_data["choices"]),
            client_address=self.client_address,
        )
        return receipt_response({"meeting": pk, "receipt": receipt})


@limited(body="UPLOAD_MAX_BYTES")
class WrittenBallotView(ApiMixin, APIView):
    """The secretary enters the signed written opinion of a member recorded absent in writing
    (multipart: member, choices as JSON, the scan as `opinion`)."""

    @extend_schema(request={"multipart/form-data": WrittenBallotIn},
                   responses={201: WrittenReceiptOut})  # fmt: skip
    def post(self, request, pk: int):
        meeting = managed_or_403(self.person, pk)
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.UPLOAD_MAX_BYTES + UPLOAD_OVERHEAD:
            raise ValidationError(_("The file is larger than the limit."), code=TOO_LARGE)
        body = WrittenBallotIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        member = selectors.awaiting_written_ballot(meeting).filter(pk=data["member"]).first()
        if member is None:
            raise serializers.ValidationError(
                {"member": [_("Choose a member recorded absent in writing who has not voted.")]}
            )
        check_upload(data["opinion"])  # as the page's form: 413 for a file over the limit
        receipt = services.record_written_ballot(
            meeting_id=pk,
            person=self.person,
            member_id=member.pk,
            choices=agenda_choices(meeting, data["choices"]),
            opinion=data["opinion"],
            client_address=self.client_address,
        )
        return receipt_response(
            {"meeting": pk, "receipt": receipt, "member": PersonRef(member).data}
        )


class MinutesView(ApiMixin, APIView):
    """The minutes (biên bản) as PDF, once the vote is closed."""

    conflicts_on_read = True  # 409 until the vote is closed
    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        meeting = visible_or_404(self.person, pk)
        return inline_pdf(minutes.minutes_pdf(meeting), f"bien-ban-hop-{meeting.pk}.pdf")
