"""Public notices (công khai) and objections through the API: the notices, publishing recommended
dossiers (the council secretary), objecting (any member of staff), the objections and their
resolution (the secretary).

Every write calls the service its page calls (decisions.notices); the input is checked by the
page's own forms, so a rule is never decided twice.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin
from api.decisions import MAX_DOSSIERS, cleaned_by
from api.dossiers import MAX_ID, DossierOut
from api.serializers import PersonRef
from decisions import notices
from decisions.models import Objection, PublicNotice
from decisions.notice_forms import DossierSelectionForm, ObjectionForm, ResolutionForm
from dossiers import workdays
from dossiers.models import Period
from workflow import permissions
from workflow.errors import NoticeNotFound

# Shapes -------------------------------------------------------------------------------------


class NoticeOut(serializers.Serializer):
    id = serializers.IntegerField()
    dossier = DossierOut()
    opened_at = serializers.DateTimeField()
    ends_on = serializers.DateField(help_text="The notice's last day; objections are taken until.")
    calendar_warning = serializers.SerializerMethodField(
        help_text="On the publish response: set when the working days up to `ends_on` cross a year "
        "whose public holidays are not entered (the end then counts weekends only); else null."
    )

    def get_calendar_warning(self, notice) -> str | None:
        return self.context.get("calendar_warnings", {}).get(notice.ends_on)


class ObjectionOut(serializers.Serializer):
    """An objection as its author sees it."""

    id = serializers.IntegerField()
    notice = serializers.IntegerField(source="notice_id")
    ends_on = serializers.DateField(source="notice.ends_on")
    dossier = DossierOut(source="notice.dossier")
    text = serializers.CharField()
    filed_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()


class ManagedObjectionOut(ObjectionOut):
    """An objection as the council secretary sees it: who filed it, who resolved it."""

    filed_by = PersonRef()
    resolved_by = PersonRef(allow_null=True)


class NoticeFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", "closed"], required=False, default="open")


class DossierSelectionIn(serializers.Serializer):
    dossiers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=True, max_length=MAX_DOSSIERS,
    )  # fmt: skip


class ObjectionIn(serializers.Serializer):
    text = serializers.CharField(max_length=notices.OBJECTION_MAX_LENGTH)


class ObjectionFilters(serializers.Serializer):
    resolved = serializers.BooleanField(required=False, default=False)


class ResolutionIn(serializers.Serializer):
    resolution = serializers.CharField(max_length=5000)


# Helpers ------------------------------------------------------------------------------------


def selected_dossiers(data, candidates) -> list[int]:
    """The dossiers chosen, checked by the page's form against the candidates it offers."""
    body = DossierSelectionIn(data=data)
    body.is_valid(raise_exception=True)
    form = DossierSelectionForm(body.validated_data, candidates=candidates)
    cleaned_by(form)
    return form.dossier_ids()


def in_institution_or_404(model, person, pk: int) -> None:
    """A notice or an objection of the person's institution; otherwise 404, as a missing one."""
    if not (0 < pk <= MAX_ID and model.objects.of(person.institution_id).filter(pk=pk).exists()):
        raise NoticeNotFound()


def secretary(person):
    permissions.require(person, "notice.manage")
    return person


# Views --------------------------------------------------------------------------------------


class NoticeList(ApiMixin, generics.GenericAPIView):
    """Notices still taking objections (`status=closed`: the current period's ended ones); the
    council secretary publishes recommended dossiers whose award asks for a notice."""

    serializer_class = NoticeOut

    @extend_schema(
        parameters=[OpenApiParameter("status", enum=["open", "closed"], default="open")],
        responses=NoticeOut(many=True),
    )
    def get(self, request):
        filters = NoticeFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if filters.validated_data["status"] == "open":
            rows = notices.open_notices(self.person)
        else:
            period = Period.objects.of(self.person.institution_id).filter(is_current=True).first()
            rows = notices.closed_notices(self.person, period.pk if period else None)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(NoticeOut(page, many=True).data)

    @extend_schema(
        request=DossierSelectionIn,
        responses={201: NoticeOut(many=True)},
        operation_id="notices_publish",
    )
    def post(self, request):
        person = secretary(self.person)
        dossier_ids = selected_dossiers(request.data, notices.publishable(person))
        published = notices.publish(
            dossier_ids=dossier_ids, person=person, client_address=self.client_address
        )
        rows = (
            PublicNotice.objects.filter(pk__in=[notice.pk for notice in published])
            .select_related(*notices.NOTICE_ROW)
            .order_by("pk")
        )
        today = timezone.localdate()
        warnings = {
            ends_on: workdays.deadline_until(today, ends_on).warning()
            for ends_on in {notice.ends_on for notice in published}
        }
        body = NoticeOut(rows, many=True, context={"calendar_warnings": warnings}).data
        return Response(body, status=status.HTTP_201_CREATED)


class Publishable(ApiMixin, generics.GenericAPIView):
    """The recommended dossiers the council secretary may publish (their award asks a notice)."""

    serializer_class = DossierOut

    @extend_schema(responses=DossierOut(many=True), operation_id="notices_publishable")
    def get(self, request):
        page = self.paginate_queryset(notices.publishable(secretary(self.person)))
        return self.get_paginated_response(DossierOut(page, many=True).data)


class FileObjection(ApiMixin, APIView):
    """Object to a running notice (any member of staff); it blocks signing until resolved."""

    @extend_schema(
        request=ObjectionIn, responses={201: ObjectionOut}, operation_id="notices_object"
    )
    def post(self, request, pk: int):
        person = self.person
        in_institution_or_404(PublicNotice, person, pk)
        body = ObjectionIn(data=request.data)
        body.is_valid(raise_exception=True)
        objection = notices.file_objection(
            notice_id=pk,
            person=person,
            text=cleaned_by(ObjectionForm(body.validated_data))["text"],
            client_address=self.client_address,
        )
        row = notices.objections_filed_by(person).get(pk=objection.pk)
        return Response(ObjectionOut(row).data, status=status.HTTP_201_CREATED)


class ObjectionList(ApiMixin, generics.GenericAPIView):
    """The institution's objections (the council secretary): open ones, or `resolved=true`."""

    serializer_class = ManagedObjectionOut

    @extend_schema(
        parameters=[OpenApiParameter("resolved", bool, default=False)],
        responses=ManagedObjectionOut(many=True),
    )
    def get(self, request):
        person = secretary(self.person)
        filters = ObjectionFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = notices.objections(person, resolved=filters.validated_data["resolved"])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ManagedObjectionOut(page, many=True).data)


class OwnObjections(ApiMixin, generics.GenericAPIView):
    """The objections you filed, with how each was resolved."""

    serializer_class = ObjectionOut

    @extend_schema(responses=ObjectionOut(many=True), operation_id="objections_mine")
    def get(self, request):
        page = self.paginate_queryset(notices.objections_filed_by(self.person))
        return self.get_paginated_response(ObjectionOut(page, many=True).data)


class ResolveObjection(ApiMixin, APIView):
    """The council secretary closes an objection with a note saying how it was settled."""

    @extend_schema(
        request=ResolutionIn, responses=ManagedObjectionOut, operation_id="objections_resolve"
    )
    def post(self, request, pk: int):
        person = secretary(self.person)
        in_institution_or_404(Objection, person, pk)
        body = ResolutionIn(data=request.data)
        body.is_valid(raise_exception=True)
        notices.resolve_objection(
            objection_id=pk,
            person=person,
            resolution=cleaned_by(ResolutionForm(body.validated_data))["resolution"],
            client_address=self.client_address,
        )
        row = notices.objections(person, resolved=True).get(pk=pk)
        return Response(ManagedObjectionOut(row).data)
