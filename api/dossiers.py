"""Dossiers through the API: list, create, read, edit while editable, their documents, their
lifecycle actions (one or many, all or nothing) and their history.

Every write calls the service a page calls (dossiers.services, workflow.services); the input
is checked by the page's own form, so a rule is never decided twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import DOWNLOAD_RENDERERS, ApiMixin, etag, expected_version
from api.serializers import AwardRef, PeriodRef, UnitRef, Version
from audit.actions import title_of
from dossiers import selectors, services
from dossiers.forms import DossierForm
from dossiers.limits import limited
from dossiers.models import Document, DocumentKind, Period, State, Unit
from dossiers.uploads import TOO_LARGE
from workflow import permissions, transitions
from workflow import services as lifecycle
from workflow.errors import Conflict, DossierNotFound, NotFound
from workflow.guards import missing_required_kinds
from workflow.lifecycle import available_actions
from workflow.selectors import timeline

MAX_ID = 2**63 - 1
# The actions done on the dossier itself; the others belong to a meeting, a notice, a decision.
BUTTON_ACTIONS = [t.action for t in transitions.buttons()]
# Room for the multipart framing around the largest file accepted.
UPLOAD_OVERHEAD = 64 * 1024


# Shapes -------------------------------------------------------------------------------------


class DocumentOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(source="kind.code")
    kind_name = serializers.SerializerMethodField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    superseded_at = serializers.DateTimeField(allow_null=True)
    download = serializers.SerializerMethodField()

    def get_kind_name(self, document) -> str:
        return str(document.kind)

    def get_download(self, document) -> str:
        return f"/api/v1/dossiers/{document.dossier_id}/documents/{document.pk}/file/"


class NomineeOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["person", "unit"])
    id = serializers.IntegerField()
    name = serializers.CharField()


class DossierOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField(source="get_state_display")
    version = serializers.IntegerField()
    unit = UnitRef()
    period = PeriodRef()
    award_type = AwardRef()
    nominee = serializers.SerializerMethodField()
    achievement_summary = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(NomineeOut)
    def get_nominee(self, dossier) -> dict:
        if dossier.nominee_person_id:
            person = dossier.nominee_person
            return {"kind": "person", "id": person.pk, "name": person.full_name}
        unit = dossier.nominee_unit
        return {"kind": "unit", "id": unit.pk, "name": unit.name}


class DossierDetailOut(DossierOut):
    documents = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    @extend_schema_field(DocumentOut(many=True))
    def get_documents(self, dossier) -> list:
        return DocumentOut(dossier.current_documents(), many=True).data

    def get_missing_documents(self, dossier) -> list[str]:
        return [kind.code for kind in missing_required_kinds(dossier)]

    def get_actions(self, dossier) -> list[str]:
        """The lifecycle actions the caller may take now (guards are checked when taken)."""
        return [t.action for t in available_actions(self.context["person"], dossier)]


class DossierIn(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    award_type = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    nominee_person = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    nominee_unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    achievement_summary = serializers.CharField(max_length=20000)

    def validate(self, data):
        if bool(data.get("nominee_person")) == bool(data.get("nominee_unit")):
            raise serializers.ValidationError(
                _("Give exactly one nominee: nominee_person or nominee_unit.")
            )
        return data


class DossierPatch(DossierIn, Version):
    unit = None
    award_type = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    achievement_summary = serializers.CharField(max_length=20000, required=False)

    def validate(self, data):
        if "nominee_person" in data and "nominee_unit" in data:
            return super().validate(data)
        return data


class TransitionIn(Version):
    action = serializers.ChoiceField(choices=BUTTON_ACTIONS)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class BulkItem(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class BulkTransitionIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=BUTTON_ACTIONS)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    dossiers = BulkItem(many=True, allow_empty=False, max_length=500)

    def validate_dossiers(self, items):
        ids = [item["id"] for item in items]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Each dossier may appear once."))
        return items


class DocumentIn(Version):
    kind = serializers.SlugRelatedField(slug_field="code", queryset=DocumentKind.objects.all())
    file = serializers.FileField()


class EventOut(serializers.Serializer):
    sequence = serializers.IntegerField()
    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField()
    action_label = serializers.SerializerMethodField()
    actor = serializers.CharField(source="actor_name")
    role = serializers.CharField()
    on_behalf_of = serializers.CharField(source="on_behalf_of_name")
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()
    payload = serializers.JSONField()

    def get_action_label(self, event) -> str:
        return title_of(event.action)


# Helpers ------------------------------------------------------------------------------------


def visible_or_404(person, pk: int):
    dossier = selectors.visible_dossier(person, pk) if 0 < pk <= MAX_ID else None
    if dossier is None:
        raise DossierNotFound()
    return dossier


def dossier_response(view, dossier, status_code=status.HTTP_200_OK) -> Response:
    """One dossier as read again after a write, with its version as the ETag."""
    fresh = visible_or_404(view.person, dossier.pk)
    body = DossierDetailOut(fresh, context={"person": view.person}).data
    return Response(body, status=status_code, headers={"ETag": etag(fresh.version)})


def checked_by_the_form(data: dict, *, unit: Unit, period: Period, current=None) -> dict:
    """The page's own DossierForm decides what is acceptable; its messages come back by field."""
    person_id, unit_id = data.get("nominee_person"), data.get("nominee_unit")
    if current is not None and "nominee_person" not in data and "nominee_unit" not in data:
        person_id, unit_id = current.nominee_person_id, current.nominee_unit_id
    form = DossierForm(
        {
            "award_type": data.get("award_type", getattr(current, "award_type_id", None)),
            "achievement_summary": data.get(
                "achievement_summary", getattr(current, "achievement_summary", "")
            ),
            "nominee": f"p:{person_id}" if person_id else f"u:{unit_id}",
        },
        unit=unit,
        period=period,
    )
    if not form.is_valid():
        raise serializers.ValidationError({field: list(e) for field, e in form.errors.items()})
    return form.cleaned_data


# Views --------------------------------------------------------------------------------------

FILTERS = [
    OpenApiParameter("state", OpenApiTypes.STR, enum=State.values),
    OpenApiParameter("period", OpenApiTypes.INT),
    OpenApiParameter("unit", OpenApiTypes.INT),
    OpenApiParameter("award_type", OpenApiTypes.INT),
]


class DossierFilters(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.values, required=False)
    period = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    award_type = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class DossierList(ApiMixin, generics.GenericAPIView):
    """The dossiers you may see, with the list page's filters; create a draft of your unit."""

    serializer_class = DossierOut

    @extend_schema(parameters=FILTERS, responses=DossierOut(many=True))
    def get(self, request):
        filters = DossierFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        dossiers = selectors.dossier_list(
            self.person,
            state=f.get("state", ""),
            period_id=f.get("period"),
            unit_id=f.get("unit"),
            award_id=f.get("award_type"),
        )
        page = self.paginate_queryset(dossiers)
        return self.get_paginated_response(DossierOut(page, many=True).data)

    @extend_schema(request=DossierIn, responses={201: DossierDetailOut})
    def post(self, request):
        body = DossierIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person = self.person
        unit = self._unit(person, data.get("unit"))
        period = Period.objects.of(person.institution).filter(is_current=True).first()
        if period is None:
            raise Conflict(_("There is no current period. Ask the administrator to open one."))
        clean = checked_by_the_form(data, unit=unit, period=period)
        dossier = services.create_dossier(
            person=person,
            unit=unit,
            period=period,
            award_type=clean["award_type"],
            achievement_summary=clean["achievement_summary"],
            nominee_person=clean["nominee_person"],
            nominee_unit=clean["nominee_unit"],
            client_address=self.client_address,
        )
        response = dossier_response(self, dossier, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/dossiers/{dossier.pk}/"
        return response

    @staticmethod
    def _unit(person, unit_id) -> Unit:
        """The unit named, or the one unit the caller heads."""
        if unit_id is None:
            heads = permissions.units_where(person, "dossier.create")
            if len(heads) != 1:
                raise serializers.ValidationError(
                    {"unit": [_("Name the unit the dossier is for.")]}
                )
            unit_id = heads[0]
        unit = Unit.objects.of(person.institution).filter(pk=unit_id).first()
        if unit is None:
            raise NotFound(_("No such unit."))
        return unit


class DossierDetail(ApiMixin, APIView):
    """One dossier with its documents, what is missing and what you may do; edit while editable."""

    @extend_schema(responses=DossierDetailOut)
    def get(self, request, pk: int):
        return dossier_response(self, visible_or_404(self.person, pk))

    @extend_schema(request=DossierPatch, responses=DossierDetailOut,
                   parameters=[OpenApiParameter("If-Match", OpenApiTypes.STR,
                                                OpenApiParameter.HEADER)])  # fmt: skip
    def patch(self, request, pk: int):
        dossier = visible_or_404(self.person, pk)
        body = DossierPatch(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        version = expected_version(request, data.get("version"))
        clean = checked_by_the_form(data, unit=dossier.unit, period=dossier.period, current=dossier)
        changes = {}
        if "award_type" in data:
            changes["award_type_id"] = clean["award_type"].pk
        if "achievement_summary" in data:
            changes["achievement_summary"] = clean["achievement_summary"]
        if "nominee_person" in data or "nominee_unit" in data:
            changes["nominee_person_id"] = getattr(clean["nominee_person"], "pk", None)
            changes["nominee_unit_id"] = getattr(clean["nominee_unit"], "pk", None)
        updated = services.update_dossier(
            dossier_id=dossier.pk,
            person=self.person,
            expected_version=version,
            client_address=self.client_address,
            **changes,
        )
        return dossier_response(self, updated)


class TransitionView(ApiMixin, APIView):
    """Take one lifecycle action on the dossier, through the same door as the page's buttons."""

    @extend_schema(request=TransitionIn, responses=DossierDetailOut,
                   parameters=[OpenApiParameter("If-Match", OpenApiTypes.STR,
                                                OpenApiParameter.HEADER)])  # fmt: skip
    def post(self, request, pk: int):
        visible_or_404(self.person, pk)
        body = TransitionIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        dossier = lifecycle.transition(
            dossier_id=pk,
            action=data["action"],
            person=self.person,
            expected_version=expected_version(request, data.get("version")),
            reason=data["reason"],
            client_address=self.client_address,
        )
        return dossier_response(self, dossier)


class BulkTransitionView(ApiMixin, APIView):
    """One action on many dossiers, each with the version you saw: all move, or none does."""

    @extend_schema(
        request=BulkTransitionIn, responses=DossierOut(many=True), operation_id="dossiers_bulk_act"
    )
    def post(self, request):
        body = BulkTransitionIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        versions = {item["id"]: item["version"] for item in data["dossiers"]}
        visible = set(
            permissions.visible_dossiers(self.person)
            .filter(pk__in=list(versions))
            .values_list("pk", flat=True)
        )
        if visible != set(versions):
            raise DossierNotFound()
        moved = lifecycle.transition_many(
            versions=versions,
            action=data["action"],
            person=self.person,
            reason=data["reason"],
            client_address=self.client_address,
        )
        return Response(DossierOut(moved, many=True).data)


class HistoryView(ApiMixin, APIView):
    """The dossier's audited history, oldest first, as its page shows it."""

    @extend_schema(responses=EventOut(many=True))
    def get(self, request, pk: int):
        dossier = visible_or_404(self.person, pk)
        return Response(EventOut(timeline(dossier), many=True).data)


@limited(body="UPLOAD_MAX_BYTES")
class DocumentList(ApiMixin, APIView):
    """The dossier's current documents; upload one (multipart: kind, file, version)."""

    @extend_schema(responses=DocumentOut(many=True))
    def get(self, request, pk: int):
        dossier = visible_or_404(self.person, pk)
        return Response(DocumentOut(dossier.current_documents(), many=True).data)

    @extend_schema(request={"multipart/form-data": DocumentIn}, responses={201: DocumentOut})
    def post(self, request, pk: int):
        dossier = visible_or_404(self.person, pk)
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.UPLOAD_MAX_BYTES + UPLOAD_OVERHEAD:
            raise ValidationError(_("The file is larger than the limit."), code=TOO_LARGE)
        body = DocumentIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        document = services.add_document(
            dossier_id=dossier.pk,
            person=self.person,
            expected_version=expected_version(request, data.get("version")),
            kind=data["kind"],
            upload=data["file"],
            client_address=self.client_address,
        )
        fresh = visible_or_404(self.person, pk)
        return Response(
            DocumentOut(document).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(fresh.version)},
        )


class DocumentDetail(ApiMixin, APIView):
    """One document's details; DELETE takes it out (kept in the history once seen)."""

    def _document(self, pk: int, document_id: int) -> Document:
        dossier = visible_or_404(self.person, pk)
        document = dossier.documents.filter(pk=document_id).select_related("kind").first()
        if document is None:
            raise NotFound()
        return document

    @extend_schema(responses=DocumentOut)
    def get(self, request, pk: int, document_id: int):
        return Response(DocumentOut(self._document(pk, document_id)).data)

    @extend_schema(request=None, responses={204: None},
                   parameters=[OpenApiParameter("version", OpenApiTypes.INT),
                               OpenApiParameter("If-Match", OpenApiTypes.STR,
                                                OpenApiParameter.HEADER)])  # fmt: skip
    def delete(self, request, pk: int, document_id: int):
        document = self._document(pk, document_id)
        query = Version(data=request.query_params)
        query.is_valid(raise_exception=True)
        services.remove_document(
            document_id=document.pk,
            person=self.person,
            expected_version=expected_version(request, query.validated_data.get("version")),
            client_address=self.client_address,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentFile(ApiMixin, APIView):
    """The file itself, as uploaded."""

    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, document_id: int):
        dossier = visible_or_404(self.person, pk)
        document = dossier.documents.filter(pk=document_id).first()
        if document is None:
            raise NotFound()
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )
