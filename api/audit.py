"""The auditor's workspace through the API: the trail (filtered, in keyset pages), one event,
exports, verifying the chain now, the integrity checks, and one dossier's whole story.

Each view calls what the auditor's pages call (auditing.selectors, auditing.trail,
auditing.exports, auditing.integrity, audit.log). It is for whoever may read the trail
(`trail.read`: auditors and the principal) and covers their own institution only. The pages show
everyone else a 404, hiding a workspace their navigation never offers; the API's paths are in
its public document, so here they answer 403, which tells a script the role is missing rather
than the address wrong. An event, check or dossier of another institution answers 404 like a
missing one.
"""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, renderers, serializers, status
from rest_framework.response import Response
from rest_framework.settings import ISO_8601
from rest_framework.utils.urls import replace_query_param

from api.base import ApiMixin, HasStaffRecord, person_of
from api.dossiers import MAX_ID, DocumentOut, DossierOut
from api.serializers import PersonRef
from audit import log
from audit.actions import AuditAction, title_of
from audit.models import AuditEvent
from auditing import exports, integrity, labels, selectors, trail
from auditing.models import IntegrityCheck
from dossiers.models import State
from workflow import permissions
from workflow.errors import DossierNotFound, GuardFailed, NotFound

# As the trail page reads dates: ISO (as its links write them), or as offices type them.
DATE_FORMATS = [ISO_8601, "%d/%m/%Y"]
MAX_PAGE_SIZE = 200


class ReadsTrail(HasStaffRecord):
    """Signed in with a staff record, and allowed the view's `trail_permission` (403 if not)."""

    def has_permission(self, request, view):
        super().has_permission(request, view)
        permissions.require(person_of(request), view.trail_permission)
        return True


class InspectorView(ApiMixin, generics.GenericAPIView):
    permission_classes = (ReadsTrail,)
    trail_permission = "trail.read"

    @property
    def institution(self):
        return self.person.institution


# Input --------------------------------------------------------------------------------------


def _id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text=help_text
    )


def _date(help_text: str) -> serializers.DateField:
    return serializers.DateField(
        input_formats=DATE_FORMATS,
        validators=trail.DATE_VALIDATORS,
        required=False,
        help_text=help_text,
    )


class TrailQuery(serializers.Serializer):
    """The trail page's filter, by the same names (auditing.forms.TrailFilterForm)."""

    period_id = _id("Events about the dossiers of this period.")
    unit_id = _id("Events about the dossiers of this unit.")
    dossier_id = _id("Events about this dossier.")
    actor_id = _id("Events done by this person, or by someone on their behalf.")
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    state = serializers.ChoiceField(
        choices=State.choices, required=False, help_text="The state an event moved from or to."
    )
    date_from = _date("From this day (YYYY-MM-DD or DD/MM/YYYY), inclusive.")
    date_to = _date("To this day (YYYY-MM-DD or DD/MM/YYYY), inclusive.")
    text = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Words in the reason."
    )

    def validate(self, data):
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"date_to": [_("The end date is before the start date.")]}
            )
        return data

    def trail_filter(self) -> trail.TrailFilter:
        data = self.validated_data
        return trail.TrailFilter(
            **{name: data[name] for name in TrailQuery._declared_fields if name in data}
        )


class TrailPageQuery(TrailQuery):
    before = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Events older than this sequence number: the `next_before` of the last page.",
    )
    page_size = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, default=trail.PAGE_SIZE, required=False
    )


def filters(serializer_class, request) -> TrailQuery:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query


# Output -------------------------------------------------------------------------------------


class EventLabels(serializers.Serializer):
    """What people read for the event's codes, in the language asked for."""

    action = serializers.CharField()
    actor = serializers.CharField()
    role = serializers.CharField()
    object = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    states = serializers.CharField()


class AuditEventOut(serializers.Serializer):
    """One event: exactly the fields hashed into the chain and written to the JSON Lines export
    (so `hash` can be recomputed from `prev_hash`), then labels for people and, for an event
    about a dossier, the address of its whole story."""

    institution = serializers.CharField()
    sequence = serializers.IntegerField()
    created_at = serializers.DateTimeField(help_text="UTC with microseconds, as hashed.")
    actor_id = serializers.IntegerField(allow_null=True)
    actor = serializers.CharField()
    role = serializers.CharField()
    on_behalf_of_id = serializers.IntegerField(allow_null=True)
    on_behalf_of = serializers.CharField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()
    payload = serializers.JSONField()
    client_address = serializers.CharField()
    prev_hash = serializers.CharField()
    hash = serializers.CharField()
    labels = EventLabels()
    story = serializers.CharField(allow_null=True)

    def to_representation(self, event: AuditEvent) -> dict:
        about_dossier = event.object_type == "dossier" and event.object_id.isdigit()
        return {
            **event.as_chain_event(self.context["institution_code"]),
            "labels": {
                "action": title_of(event.action),
                "actor": labels.actor_label(event.actor_name, event.role),
                "role": labels.role_label(event.role),
                "object": labels.object_label(event.object_type, event.object_id),
                "from_state": _state(event, event.from_state),
                "to_state": _state(event, event.to_state),
                "states": labels.state_change(event.object_type, event.from_state, event.to_state),
            },
            "story": f"/api/v1/audit/dossiers/{event.object_id}/" if about_dossier else None,
        }


def _state(event: AuditEvent, code: str) -> str:
    return labels.state_label(event.object_type, code) if code else ""


class TrailPageOut(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text="The next (older) page, or null.")
    next_before = serializers.IntegerField(
        allow_null=True, help_text="The `before` of the next page, or null on the last one."
    )
    results = AuditEventOut(many=True)


class ChainHeadOut(serializers.Serializer):
    sequence = serializers.IntegerField()
    hash = serializers.CharField()


class VerificationOut(serializers.Serializer):
    institution = serializers.CharField()
    intact = serializers.BooleanField()
    events_verified = serializers.IntegerField(
        help_text="Events found intact, from the first, before any problem."
    )
    head = ChainHeadOut(help_text="The last event verified intact (sequence 0: none).")
    first_broken_sequence = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField(help_text="The first problem found; empty when intact.")
    verified_at = serializers.DateTimeField()


class MismatchOut(serializers.Serializer):
    decision_id = serializers.IntegerField()
    reference = serializers.CharField()
    chain_head = serializers.CharField()
    problem = serializers.CharField()
    explanation = serializers.SerializerMethodField()

    def get_explanation(self, mismatch) -> str:
        return str(integrity.MISMATCHES.get(mismatch["problem"], mismatch["problem"]))


class IntegrityCheckOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=IntegrityCheck.State.choices)
    state_label = serializers.CharField(source="get_state_display")
    requested_by = PersonRef()
    requested_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    events_total = serializers.IntegerField()
    events_checked = serializers.IntegerField()
    percent_done = serializers.IntegerField()
    intact = serializers.BooleanField()
    head_hash = serializers.CharField()
    first_broken_sequence = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField()
    decisions_checked = serializers.IntegerField()
    decisions_mismatched = MismatchOut(many=True)


class StoryEntryOut(AuditEventOut):
    details = serializers.ListField(
        child=serializers.CharField(), help_text="Fields changed, documents added or removed."
    )

    def to_representation(self, entry) -> dict:
        return {**super().to_representation(entry.event), "details": entry.details}


class HistoryDocumentOut(serializers.Serializer):
    sequence = serializers.IntegerField(source="event.sequence")
    title = serializers.CharField(help_text="What happened to it: added, removed, superseded.")
    name = serializers.CharField()
    kind = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    is_current = serializers.BooleanField()


class StoryMeetingOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    held_on = serializers.DateTimeField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")


class StoryAgendaItemOut(serializers.Serializer):
    meeting = StoryMeetingOut()
    agree = serializers.IntegerField(allow_null=True)
    disagree = serializers.IntegerField(allow_null=True)
    abstain = serializers.IntegerField(allow_null=True)
    recused = serializers.IntegerField(allow_null=True)
    recommended = serializers.BooleanField(allow_null=True)


class StoryDecisionOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    signed_on = serializers.DateField(allow_null=True)
    chain_head = serializers.CharField(help_text="The audit chain's head printed when signed.")
    pdf_sha256 = serializers.CharField()


class StoryOut(serializers.Serializer):
    dossier = DossierOut()
    entries = StoryEntryOut(many=True, help_text="Its history, oldest first.")
    documents = DocumentOut(many=True, help_text="The documents it has now.")
    history_documents = HistoryDocumentOut(many=True)
    meetings = StoryAgendaItemOut(many=True, source="agenda_items")
    decisions = serializers.SerializerMethodField()

    @extend_schema_field(StoryDecisionOut(many=True))
    def get_decisions(self, story) -> list:
        return StoryDecisionOut([item.decision for item in story.decision_items], many=True).data


# The trail ----------------------------------------------------------------------------------


class EventList(InspectorView):
    """The institution's events, newest first, narrowed by the trail page's filter.

    Keyset pages on the sequence number: follow `next` (or send `before=next_before`); events
    appended meanwhile never shift what a later page shows.
    """

    @extend_schema(
        parameters=[TrailPageQuery], responses=TrailPageOut, operation_id="audit_events_list"
    )
    def get(self, request):
        query = filters(TrailPageQuery, request)
        result = selectors.trail_page(
            self.institution,
            query.trail_filter(),
            before=query.validated_data.get("before"),
            size=query.validated_data["page_size"],
        )
        cursor = result.next_cursor
        return Response(
            {
                "next": (
                    replace_query_param(request.build_absolute_uri(), "before", cursor)
                    if cursor
                    else None
                ),
                "next_before": cursor,
                "results": AuditEventOut(
                    result.events, many=True, context={"institution_code": self.institution.code}
                ).data,
            }
        )


class EventDetail(InspectorView):
    """One event of the institution's trail, by its sequence number."""

    @extend_schema(responses=AuditEventOut)
    def get(self, request, sequence: int):
        event = selectors.event(self.institution, sequence) if sequence <= MAX_ID else None
        if event is None:
            raise NotFound(_("No such event in your institution's trail."))
        return Response(
            AuditEventOut(event, context={"institution_code": self.institution.code}).data
        )


# Exports ------------------------------------------------------------------------------------


class FileRenderer(renderers.BaseRenderer):
    """Lets a client ask for the file's type in Accept; the view writes the body itself."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CsvRenderer(FileRenderer):
    media_type, format = "text/csv", "csv"


class JsonLinesRenderer(FileRenderer):
    media_type, format = "application/jsonl", "jsonl"


class PdfRenderer(FileRenderer):
    media_type, format = "application/pdf", "pdf"


class ExportView(InspectorView):
    """One export of the filtered trail, recorded in the trail as the page's exports are."""

    trail_permission = "trail.export"
    extension = ""

    def get(self, request):
        query = filters(TrailQuery, request)
        acting = permissions.require(self.person, "trail.export")
        actor = log.Actor.acting(self.person, acting, self.client_address)
        snap = exports.snapshot(self.institution, query.trail_filter())
        response = self.file(snap, actor)
        for header, value in exports.download_headers(snap, self.extension).items():
            response[header] = value
        return response

    def file(self, snap: exports.Snapshot, actor: log.Actor) -> HttpResponse:
        raise NotImplementedError


def _export_schema(media_type: str, operation_id: str):
    return extend_schema(
        parameters=[TrailQuery],
        responses={(200, media_type): OpenApiTypes.BINARY},
        operation_id=operation_id,
    )


@extend_schema_view(get=_export_schema("text/csv", "audit_export_csv"))
class CsvExport(ExportView):
    """The filtered trail as CSV for Excel (UTF-8 with BOM, Vietnamese titles), streamed."""

    renderer_classes = (CsvRenderer,)
    extension = "csv"

    def file(self, snap, actor):
        exports.record(snap, actor, "csv", status="started")
        return StreamingHttpResponse(
            exports.csv_stream(snap.events), content_type="text/csv; charset=utf-8"
        )


@extend_schema_view(get=_export_schema("application/jsonl", "audit_export_jsonl"))
class JsonLinesExport(ExportView):
    """The filtered trail as JSON Lines, one chain event a line, verifiable offline; streamed."""

    renderer_classes = (JsonLinesRenderer,)
    extension = "jsonl"

    def file(self, snap, actor):
        exports.record(snap, actor, "jsonl", status="started")
        return StreamingHttpResponse(
            exports.jsonl_stream(snap.events, snap.institution.code),
            content_type="application/jsonl; charset=utf-8",
        )


@extend_schema_view(get=_export_schema("application/pdf", "audit_export_pdf"))
class PdfExport(ExportView):
    """A PDF report of the filtered trail with the chain head.

    Above settings.AUDIT_PDF_EXPORT_LIMIT events it is refused as a condition not met (422,
    `guard-failed`, with the page's message as the reason): the request itself is small and
    well formed, so 413 (about the size of what is sent) would mislead; a narrower filter, or
    CSV or JSON Lines, succeeds.
    """

    renderer_classes = (PdfRenderer,)
    extension = "pdf"

    def file(self, snap, actor):
        refusal = exports.pdf_refusal(snap)
        if refusal is not None:
            raise GuardFailed([refusal])
        pdf = exports.pdf_report(snap, exported_by=actor)
        exports.record(snap, actor, "pdf", status="rendered")
        return HttpResponse(pdf, content_type="application/pdf")


# Integrity ----------------------------------------------------------------------------------


class Verification(InspectorView):
    """Verify the institution's whole chain now, as `manage.py verify_audit` does.

    The walk reads every event: for a long trail, ask for a check instead (POST checks/), which
    runs in the background.
    """

    @extend_schema(responses=VerificationOut)
    def get(self, request):
        report = log.verify_institution(self.institution)
        broken = report.first_broken_sequence is not None
        verified = report.events - 1 if broken else report.events  # the broken one is counted
        return Response(
            VerificationOut(
                {
                    "institution": report.institution,
                    "intact": report.intact,
                    "events_verified": verified,
                    "head": {"sequence": verified, "hash": report.head_hash},
                    "first_broken_sequence": report.first_broken_sequence,
                    "problem": report.problem,
                    "verified_at": timezone.now(),
                }
            ).data
        )


class CheckList(InspectorView):
    """The integrity checks asked for, newest first; POST asks for a new one (it runs in the
    background: follow its address until its state is done)."""

    @extend_schema(responses=IntegrityCheckOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(integrity.checks_of(self.institution))
        return self.get_paginated_response(IntegrityCheckOut(page, many=True).data)

    @extend_schema(request=None, responses={202: IntegrityCheckOut})
    def post(self, request):
        check = integrity.request_check(institution=self.institution, person=self.person)
        check = integrity.checks_of(self.institution).get(pk=check.pk)
        return Response(
            IntegrityCheckOut(check).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": f"/api/v1/audit/checks/{check.pk}/"},
        )


class CheckDetail(InspectorView):
    """One check: its progress while it runs, then its outcome."""

    @extend_schema(responses=IntegrityCheckOut)
    def get(self, request, pk: int):
        check = (
            integrity.checks_of(self.institution).filter(pk=pk).first() if pk <= MAX_ID else None
        )
        if check is None:
            raise NotFound(_("No such integrity check."))
        return Response(IntegrityCheckOut(check).data)


# One dossier's story ------------------------------------------------------------------------


class DossierStory(InspectorView):
    """One dossier's whole story as the auditor's page tells it: its history with field changes
    and hashes, its documents now and every one added or removed, its meetings, its decisions."""

    @extend_schema(responses=StoryOut, operation_id="audit_dossier_story")
    def get(self, request, pk: int):
        story = selectors.dossier_story(self.institution, pk) if pk <= MAX_ID else None
        if story is None:
            raise DossierNotFound()
        return Response(StoryOut(story, context={"institution_code": self.institution.code}).data)
