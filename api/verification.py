"""The public check of a decision PDF through the API, as the page /verify/ does it: anyone
uploads a file and learns whether its signature is intact, covers the whole file, and whether it
is exactly a decision this system issued (decisions.verification). Nothing is stored.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import Anyone, ApiMixin
from decisions import verification
from dossiers.limits import limited
from dossiers.uploads import TOO_LARGE

# Room for the multipart framing around the largest file the check reads.
UPLOAD_OVERHEAD = 64 * 1024


class VerifyIn(serializers.Serializer):
    file = serializers.FileField(help_text="The decision PDF to check.")


class VerifiedDecisionOut(serializers.Serializer):
    reference = serializers.CharField()
    institution = serializers.CharField(source="institution.name")
    signed_on = serializers.DateField()
    signer = serializers.CharField(source="signer.full_name")
    on_behalf_of = serializers.CharField(source="on_behalf_of.full_name", allow_null=True)
    chain_head = serializers.CharField()


class VerdictOut(serializers.Serializer):
    valid = serializers.BooleanField(
        help_text="Intact, covering the whole file, and the very file this system issued."
    )
    verdict = serializers.ChoiceField(
        source="kind",
        choices=["valid", "partly_revoked", "not_issued_here", "not_valid"],
        help_text="valid; partly_revoked (valid, some awards revoked since); not_issued_here "
        "(a sound signature on a file this system did not issue); not_valid.",
    )
    reasons = serializers.SerializerMethodField()
    sha256 = serializers.CharField()
    is_pdf = serializers.BooleanField()
    signed = serializers.BooleanField()
    intact = serializers.BooleanField()
    covers_whole_file = serializers.BooleanField()
    certificate = serializers.CharField(source="signer", help_text="Who the certificate names.")
    signing_time = serializers.DateTimeField(allow_null=True)
    decision = VerifiedDecisionOut(allow_null=True)
    revoked = serializers.SerializerMethodField(
        help_text="The awards of the decision revoked since, each with the revoking decision."
    )

    def get_revoked(self, verdict) -> list[dict]:
        return [
            {"awardee": name, "revoked_by": revocation.reference,
             "revoked_on": revocation.signed_on.isoformat()}
            for name, revocation in verdict.revoked
        ]  # fmt: skip

    def get_reasons(self, verdict) -> list[str]:
        """Why the file is not valid, in the words of the verification page; empty when valid."""
        return [str(reason) for reason in verdict.reasons]


@limited(body=verification.MAX_VERIFY_BYTES, rate="verify")
class VerifyDecision(ApiMixin, APIView):
    """Anyone checks a decision PDF (multipart `file`): is its signature intact, does it cover the
    whole file, and is it exactly a decision this system issued? Nothing is stored."""

    authentication_classes = ()
    permission_classes = (Anyone,)

    @extend_schema(
        request={"multipart/form-data": VerifyIn},
        responses=VerdictOut,
        auth=[],
        operation_id="decisions_verify",
    )
    def post(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        too_large = _("The file is too large to be a decision.")
        if length.isdigit() and int(length) > verification.MAX_VERIFY_BYTES + UPLOAD_OVERHEAD:
            raise ValidationError(too_large, code=TOO_LARGE)
        body = VerifyIn(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size > verification.MAX_VERIFY_BYTES:
            raise ValidationError(too_large, code=TOO_LARGE)
        return Response(VerdictOut(verification.verify_pdf(upload.read())).data)
