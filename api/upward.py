"""Awards decided above the college through the API: what may be proposed, submitting dossiers
upward with a generated proposal memo (the principal), the memos, what awaits the higher
decision, and recording that decision (a reviewer).

Every write calls the service its page calls (decisions.upward); the input is checked by the
page's own forms, so a rule is never decided twice.
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import DOWNLOAD_RENDERERS, ApiMixin
from api.decisions import PDF
from api.dossiers import MAX_ID, DossierDetailOut, DossierOut, dossier_response, visible_or_404
from api.notices import DossierSelectionIn, selected_dossiers
from api.serializers import PersonRef
from decisions import upward
from decisions.notice_forms import OutcomeForm
from dossiers.bounds import DATE_VALIDATORS
from workflow import permissions
from workflow.errors import NotFound

# Shapes -------------------------------------------------------------------------------------


class MemoOut(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    created_by = PersonRef()
    sha256 = serializers.CharField(help_text="SHA-256 of the memo's PDF, cited by each dossier.")
    dossier_count = serializers.IntegerField()
    pdf = serializers.SerializerMethodField()

    def get_pdf(self, memo) -> str:
        return f"/api/v1/upward/memos/{memo.pk}/pdf/"


class MemoDetailOut(MemoOut):
    dossiers = serializers.SerializerMethodField()

    @extend_schema_field(DossierOut(many=True))
    def get_dossiers(self, memo) -> list:
        rows = memo.dossiers.select_related(*upward.DOSSIER_ROW).order_by("pk")
        return DossierOut(rows, many=True).data


class AwaitingOut(DossierOut):
    memos = serializers.SerializerMethodField()

    def get_memos(self, dossier) -> list[int]:
        """The proposal memos the dossier was sent with, newest first."""
        return [memo.pk for memo in dossier.proposal_memos.all()]


class OutcomeIn(serializers.Serializer):
    granted = serializers.BooleanField(help_text="Whether the higher authority granted the award.")
    decision_number = serializers.CharField(
        max_length=OutcomeForm.base_fields["decision_number"].max_length,
        help_text="The higher decision's number, e.g. 125/QĐ-UBND.",
    )
    decision_date = serializers.DateField(
        validators=DATE_VALIDATORS, help_text="The higher decision's date (not after today)."
    )


# Helpers ------------------------------------------------------------------------------------


def readable_memo(person, pk: int):
    memo = upward.readable_memo(person, pk) if 0 < pk <= MAX_ID else None
    if memo is None:
        raise NotFound()
    return memo


# Views --------------------------------------------------------------------------------------


class Proposable(ApiMixin, generics.GenericAPIView):
    """The recommended dossiers of awards decided by a higher authority, for the principal."""

    serializer_class = DossierOut

    @extend_schema(responses=DossierOut(many=True), operation_id="upward_proposable")
    def get(self, request):
        permissions.require(self.person, "upward.submit")
        page = self.paginate_queryset(upward.proposable(self.person))
        return self.get_paginated_response(DossierOut(page, many=True).data)


class Awaiting(ApiMixin, generics.GenericAPIView):
    """The dossiers submitted upward whose higher decision is not recorded yet."""

    serializer_class = AwaitingOut

    @extend_schema(responses=AwaitingOut(many=True), operation_id="upward_awaiting")
    def get(self, request):
        permissions.require(self.person, "upward.read")
        page = self.paginate_queryset(upward.awaiting_outcome(self.person))
        return self.get_paginated_response(AwaitingOut(page, many=True).data)


class Submit(ApiMixin, APIView):
    """The principal sends recommended dossiers upward with one generated memo, all or none."""

    @extend_schema(
        request=DossierSelectionIn, responses={201: MemoDetailOut}, operation_id="upward_submit"
    )
    def post(self, request):
        person = self.person
        permissions.require(person, "upward.read")
        permissions.require(person, "upward.submit")
        dossier_ids = selected_dossiers(request.data, upward.proposable(person))
        memo = upward.submit_upward(
            dossier_ids=dossier_ids, person=person, client_address=self.client_address
        )
        row = upward.memos(person).get(pk=memo.pk)
        response = Response(MemoDetailOut(row).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/upward/memos/{memo.pk}/"
        return response


class MemoList(ApiMixin, generics.GenericAPIView):
    """The proposal memos sent upward, newest first."""

    serializer_class = MemoOut

    @extend_schema(responses=MemoOut(many=True))
    def get(self, request):
        permissions.require(self.person, "upward.read")
        page = self.paginate_queryset(upward.memos(self.person))
        return self.get_paginated_response(MemoOut(page, many=True).data)


class MemoDetail(ApiMixin, APIView):
    """One proposal memo with the dossiers it proposed."""

    @extend_schema(responses=MemoDetailOut)
    def get(self, request, pk: int):
        memo = readable_memo(self.person, pk)
        return Response(MemoDetailOut(upward.memos(self.person).get(pk=memo.pk)).data)


class MemoPdf(ApiMixin, APIView):
    """The memo's PDF, as generated and sent."""

    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(responses=PDF, operation_id="upward_memos_pdf")
    def get(self, request, pk: int):
        memo = readable_memo(self.person, pk)
        return FileResponse(memo.pdf.open("rb"), as_attachment=True,
                            filename=f"to-trinh-{memo.pk}.pdf",
                            content_type="application/pdf")  # fmt: skip


class RecordOutcome(ApiMixin, APIView):
    """A reviewer records the higher authority's decision on a dossier submitted upward; a
    granted award signs the dossier and enters the title history."""

    @extend_schema(
        request=OutcomeIn, responses=DossierDetailOut, operation_id="dossiers_record_outcome"
    )
    def post(self, request, pk: int):
        dossier = visible_or_404(self.person, pk)
        permissions.require(self.person, "record_outcome", dossier)
        body = OutcomeIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        recorded = upward.record_outcome(
            dossier_id=dossier.pk,
            person=self.person,
            granted=data["granted"],
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            client_address=self.client_address,
        )
        return dossier_response(self, recorded)
