"""Decisions through the API: the list, one decision with its awardees and legal bases, its PDF
(signed, or the draft's preview), preparing, taking a dossier out of a draft, signing, revoking,
the certificates and a dossier's cover sheet (the public check of a PDF: api.verification).

Every write calls the service its page calls (decisions.services); the input is checked by the
page's own forms, so a rule is never decided twice.
"""

from __future__ import annotations

import base64

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import DOWNLOAD_RENDERERS, ApiMixin
from api.dossiers import MAX_ID, DossierOut, visible_or_404
from api.schema import Problem
from api.serializers import AwardRef, PersonRef
from decisions import selectors, services
from decisions.certificates import certificates_pdf
from decisions.cover_sheet import cover_sheet_pdf
from decisions.forms import AwardChoiceForm, PrepareDecisionForm, RevocationForm
from decisions.models import Decision
from decisions.rendering import draft_pdf
from documents.rendering import inline_pdf
from dossiers.models import Period, State
from workflow import permissions
from workflow.errors import Conflict, DecisionNotFound

# The joins one awardee row shows (the dossier as the dossier resources show it).
ITEM_JOINS = ("dossier__nominee_person", "dossier__nominee_unit", "dossier__unit",
              "dossier__award_type", "dossier__period")  # fmt: skip
MAX_DOSSIERS = 500
PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}


# Shapes -------------------------------------------------------------------------------------


class DecisionRef(serializers.Serializer):
    """Another decision: its number once signed ("" for a draft)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.ChoiceField(choices=Decision.State.choices)


class DecisionBase(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Decision.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    state = serializers.ChoiceField(choices=Decision.State.choices)
    state_label = serializers.CharField(source="get_state_display")
    reference = serializers.CharField(help_text="'05/QĐ-…' once signed; empty for a draft.")
    year = serializers.IntegerField(allow_null=True)
    number = serializers.IntegerField(allow_null=True)
    subject = serializers.CharField()
    award_type = AwardRef()
    revokes = DecisionRef(allow_null=True)
    created_at = serializers.DateTimeField()
    signed_on = serializers.DateField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    signer = PersonRef(allow_null=True)
    on_behalf_of = PersonRef(allow_null=True, help_text="Whom the signer signed for (KT.).")


class DecisionOut(DecisionBase):
    awardees = serializers.IntegerField(help_text="How many dossiers the decision names.")


class ItemOut(serializers.Serializer):
    position = serializers.IntegerField()
    dossier = DossierOut()


class CitationOut(serializers.Serializer):
    """A legal text the decision cites, as it read when cited (when signed, for a signed one)."""

    code = serializers.CharField()
    title = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class OwnAwardOut(serializers.Serializer):
    """The signer is among the awardees: signing needs `acknowledge_own_award`, unless the
    institution's rule blocks it (`blocks`)."""

    blocks = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class DecisionDetailOut(DecisionBase):
    recitals = serializers.CharField()
    reason = serializers.CharField(help_text="Why the awards are revoked (a revocation).")
    created_by = PersonRef()
    pdf_sha256 = serializers.CharField(help_text="SHA-256 of the signed PDF; empty for a draft.")
    chain_head = serializers.CharField(help_text="The audit chain's head when it was signed.")
    verification_url = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()
    certificates = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    legal_bases = serializers.SerializerMethodField()
    revocations = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    own_award = serializers.SerializerMethodField()

    def get_verification_url(self, decision) -> str:
        return services.verification_url()

    def get_pdf(self, decision) -> str:
        """The signed PDF, or the draft's preview."""
        return f"/api/v1/decisions/{decision.pk}/pdf/"

    def get_certificates(self, decision) -> str | None:
        if decision.state != Decision.State.SIGNED or decision.kind != Decision.Kind.AWARD:
            return None
        return f"/api/v1/decisions/{decision.pk}/certificates/"

    @extend_schema_field(ItemOut(many=True))
    def get_items(self, decision) -> list:
        return ItemOut(self.context["items"], many=True).data

    @extend_schema_field(CitationOut(many=True))
    def get_legal_bases(self, decision) -> list:
        return CitationOut(decision.citations.all(), many=True).data

    @extend_schema_field(DecisionRef(many=True))
    def get_revocations(self, decision) -> list:
        if decision.kind != Decision.Kind.AWARD:
            return []
        return DecisionRef(decision.revocations.order_by("created_at", "pk"), many=True).data

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(["sign", "remove", "revoke"]))
    )
    def get_actions(self, decision) -> list[str]:
        """What the caller may do on it now (the service checks again when it is done)."""
        return self.context["actions"]

    @extend_schema_field(OwnAwardOut(allow_null=True))
    def get_own_award(self, decision) -> dict | None:
        if "sign" not in self.context["actions"]:
            return None
        found = selectors.own_award(self.context["person"], decision)
        if found is None:
            return None
        return {"blocks": found.blocks, "reasons": [reason.text() for reason in found.reasons]}


class PrepareIn(serializers.Serializer):
    award_type = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    dossiers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=True, max_length=MAX_DOSSIERS,
        help_text="Recommended dossiers of the award and the current period, not in a draft.",
    )  # fmt: skip
    subject = serializers.CharField(
        max_length=Decision._meta.get_field("subject").max_length, required=False,
        allow_blank=True, default="",
        help_text="Blank: 'Về việc tặng danh hiệu “…”' for a title, 'Về việc tặng …' otherwise.",
    )  # fmt: skip
    recitals = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, default="",
        help_text="Blank: the award's legal bases in force, then the proposal line.",
    )  # fmt: skip


class RemoveIn(serializers.Serializer):
    dossier = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class PrepareSigningIn(serializers.Serializer):
    credential = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None,
        help_text="Which of the signer's own certificates; blank: their only one.",
    )  # fmt: skip
    acknowledge_own_award = serializers.BooleanField(
        required=False, default=False,
        help_text="The signer is among the awardees and signs anyway (recorded for the auditor).",
    )  # fmt: skip


class SignIn(PrepareSigningIn):
    secret = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", trim_whitespace=False,
        write_only=True, help_text="The PIN or passphrase of the certificate's key; never stored.",
    )  # fmt: skip


class SigningRequestOut(serializers.Serializer):
    """What the signer's tool (signing_tool/sign_digest.py) signs."""

    format = serializers.CharField()
    decision = serializers.CharField(help_text="The number reserved for the decision.")
    digest_algorithm = serializers.CharField()
    document_digest = serializers.CharField(help_text="Hex SHA-256 of the document's byte range.")
    certificate_sha256 = serializers.CharField(help_text="The certificate that must sign it.")
    signer = serializers.CharField()


class CompleteSigningIn(serializers.Serializer):
    signature = serializers.CharField(
        max_length=350_000, help_text="The CMS signature (.p7s) the tool wrote, in base64."
    )

    def validate_signature(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise serializers.ValidationError("Not base64.") from exc


class RevocationIn(serializers.Serializer):
    dossiers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=True, max_length=MAX_DOSSIERS,
        help_text="Awardees of this decision whose dossier is still signed.",
    )  # fmt: skip
    reason = serializers.CharField(max_length=5000, allow_blank=True)


# Helpers ------------------------------------------------------------------------------------


def visible_decision(person, pk: int) -> Decision:
    """The decision, if the person may see it; otherwise 404, as for a missing one."""
    decision = (
        selectors.visible_decisions(person)
        .select_related("institution", "on_behalf_of", "revokes", "created_by")
        .filter(pk=pk)
        .first()
        if 0 < pk <= MAX_ID
        else None
    )
    if decision is None:
        raise DecisionNotFound()
    return decision


def decision_response(view, pk: int, status_code=status.HTTP_200_OK) -> Response:
    """One decision as read again after a write, with what the caller may do on it now."""
    decision = visible_decision(view.person, pk)
    items = list(decision.items.select_related(*ITEM_JOINS))
    context = {
        "person": view.person,
        "items": items,
        "actions": selectors.decision_actions(view.person, decision, items),
    }
    response = Response(DecisionDetailOut(decision, context=context).data, status=status_code)
    if status_code == status.HTTP_201_CREATED:
        response["Location"] = f"/api/v1/decisions/{pk}/"
    return response


def cleaned_by(form) -> dict:
    """What the page's own form accepts; its messages come back by field (400) otherwise."""
    if not form.is_valid():
        errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
        raise serializers.ValidationError(errors)
    return form.cleaned_data


# Views --------------------------------------------------------------------------------------


class DecisionList(ApiMixin, generics.GenericAPIView):
    """The institution's decisions, newest first; prepare a draft (the secretary, the principal)."""

    serializer_class = DecisionOut

    @extend_schema(responses=DecisionOut(many=True))
    def get(self, request):
        if permissions.may(self.person, "decision.read") is None:
            raise DecisionNotFound()  # as the list page: those who do not work with decisions
        page = self.paginate_queryset(selectors.decision_rows(self.person))
        return self.get_paginated_response(DecisionOut(page, many=True).data)

    @extend_schema(
        request=PrepareIn, responses={201: DecisionDetailOut}, operation_id="decisions_prepare"
    )
    def post(self, request):
        person = self.person
        permissions.require(person, "decision.prepare")
        body = PrepareIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        period = Period.objects.of(person.institution).filter(is_current=True).first()
        if period is None:
            raise Conflict(_("There is no current period. Ask the administrator to open one."))
        chooser = AwardChoiceForm(
            {"award": data["award_type"]}, awards=selectors.decidable_awards(person)
        )
        if not chooser.is_valid():
            raise serializers.ValidationError({"award_type": chooser.errors["award"]})
        award = chooser.cleaned_data["award"]
        form = PrepareDecisionForm(
            {"dossiers": data["dossiers"], "subject": data["subject"],
             "recitals": data["recitals"]},
            candidates=selectors.decision_candidates(person, period, award),
        )  # fmt: skip
        clean = cleaned_by(form)
        decision = services.prepare_decision(
            person=person,
            award_type=award,
            dossier_ids=form.dossier_ids(),
            subject=clean["subject"],
            recitals=clean["recitals"],
            client_address=self.client_address,
        )
        return decision_response(self, decision.pk, status.HTTP_201_CREATED)


class DecisionDetail(ApiMixin, APIView):
    """One decision: its number, signer, awardees, legal bases, hash, and what you may do."""

    @extend_schema(responses=DecisionDetailOut)
    def get(self, request, pk: int):
        return decision_response(self, pk)


class DecisionPdf(ApiMixin, APIView):
    """The signed PDF; for a draft, the preview as it will be printed (no number, "DỰ THẢO")."""

    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(responses=PDF)
    def get(self, request, pk: int):
        decision = visible_decision(self.person, pk)
        if decision.state == Decision.State.DRAFT:
            pdf = draft_pdf(decision, verify_url=services.verification_url())
            return inline_pdf(pdf, f"du-thao-quyet-dinh-{decision.pk}.pdf")
        if not decision.pdf:
            raise DecisionNotFound()
        return FileResponse(decision.pdf.open("rb"), as_attachment=True,
                            filename=f"QD-{decision.year}-{decision.number:03d}.pdf",
                            content_type="application/pdf")  # fmt: skip


class DecisionCertificates(ApiMixin, APIView):
    """The certificates (Giấy khen) of a signed award decision, one page per awardee."""

    conflicts_on_read = True  # 409 until the decision is signed
    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(responses=PDF)
    def get(self, request, pk: int):
        decision = visible_decision(self.person, pk)
        pdf = certificates_pdf(decision)  # refused (409) for a draft or a revocation
        return inline_pdf(pdf, f"giay-khen-{decision.year}-{decision.number:03d}.pdf")


class RemoveItem(ApiMixin, APIView):
    """Take one dossier out of a draft, so that it can be decided separately."""

    @extend_schema(
        request=RemoveIn, responses=DecisionDetailOut, operation_id="decisions_remove_dossier"
    )
    def post(self, request, pk: int):
        decision = visible_decision(self.person, pk)
        permissions.require(self.person, "decision.prepare", decision)
        body = RemoveIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.remove_from_draft(
            decision_id=decision.pk,
            dossier_id=body.validated_data["dossier"],
            person=self.person,
            client_address=self.client_address,
        )
        return decision_response(self, decision.pk)


class SignDecision(ApiMixin, APIView):
    """Number, render, sign and store the decision; its dossiers move to signed (or revoked, for
    a revocation) — or nothing changes."""

    @extend_schema(
        request=SignIn,
        responses={200: DecisionDetailOut, (502, "application/problem+json"): Problem},
        operation_id="decisions_sign",
    )
    def post(self, request, pk: int):
        decision = visible_decision(self.person, pk)
        permissions.require(self.person, "decision.sign", decision)
        body = SignIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.sign_decision(
            decision_id=decision.pk,
            person=self.person,
            client_address=self.client_address,
            credential_id=body.validated_data["credential"],
            secret=body.validated_data["secret"],
            acknowledge_own_award=body.validated_data["acknowledge_own_award"],
        )
        return decision_response(self, decision.pk)


class PrepareSigning(ApiMixin, APIView):
    """The first of two steps at the signer's own computer: the decision numbered and rendered
    with an empty signature field; the answer is the signing request for the signer's tool."""

    @extend_schema(
        request=PrepareSigningIn, responses={200: SigningRequestOut},
        operation_id="decisions_prepare_signing",
    )  # fmt: skip
    def post(self, request, pk: int):
        decision = visible_decision(self.person, pk)
        permissions.require(self.person, "decision.sign", decision)
        body = PrepareSigningIn(data=request.data)
        body.is_valid(raise_exception=True)
        prepared = services.prepare_signing(
            decision_id=decision.pk, person=self.person, client_address=self.client_address,
            credential_id=body.validated_data["credential"],
            acknowledge_own_award=body.validated_data["acknowledge_own_award"],
        )  # fmt: skip
        return Response(services.signing_request(prepared))


class CompleteSigning(ApiMixin, APIView):
    """The second step: the CMS signature made over the signing request's digest; the decision
    is issued once it verifies — or nothing changes."""

    @extend_schema(
        request=CompleteSigningIn,
        responses={200: DecisionDetailOut, (502, "application/problem+json"): Problem},
        operation_id="decisions_complete_signing",
    )
    def post(self, request, pk: int):
        decision = visible_decision(self.person, pk)
        permissions.require(self.person, "decision.sign", decision)
        body = CompleteSigningIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.complete_signing(
            decision_id=decision.pk, person=self.person, client_address=self.client_address,
            signature=body.validated_data["signature"],
        )  # fmt: skip
        return decision_response(self, decision.pk)


class Revocations(ApiMixin, APIView):
    """Prepare a draft revocation over some of this signed award decision's awardees, with the
    reason (Luật TĐKT, Điều 93); the principal then signs it like any decision."""

    @extend_schema(
        request=RevocationIn, responses={201: DecisionDetailOut}, operation_id="decisions_revoke"
    )
    def post(self, request, pk: int):
        decision = visible_decision(self.person, pk)
        permissions.require(self.person, "decision.prepare", decision)
        body = RevocationIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        revocable = decision.items.select_related(*ITEM_JOINS).filter(dossier__state=State.SIGNED)
        form = RevocationForm(
            {"dossiers": data["dossiers"], "reason": data["reason"]}, items=revocable
        )
        clean = cleaned_by(form)
        revocation = services.prepare_revocation(
            person=self.person,
            decision_id=decision.pk,
            dossier_ids=clean["dossiers"],
            reason=clean["reason"],
            client_address=self.client_address,
        )
        return decision_response(self, revocation.pk, status.HTTP_201_CREATED)


class CoverSheet(ApiMixin, APIView):
    """The dossier's cover sheet: its details and its documents with their hashes."""

    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(responses=PDF, operation_id="dossiers_cover_sheet")
    def get(self, request, pk: int):
        dossier = visible_or_404(self.person, pk)
        return inline_pdf(cover_sheet_pdf(dossier), f"phieu-ho-so-{dossier.pk}.pdf")
