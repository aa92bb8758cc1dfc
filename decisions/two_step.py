"""Signing at the signer's own computer, in two steps (pyHanko's interrupted signing).

First the server writes the decision with an empty signature field and computes the digest of
its byte range; the signer's own tool (signing_tool/sign_digest.py, with their USB token)
signs that digest into a CMS signature. Then the server checks the CMS is over this digest and
by the registered certificate, adds the authority's timestamp when one is configured, embeds it
and validates the result before anything is issued.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import cms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from decisions.credentials import Certificate
from decisions.signing import metadata, timestamper
from dossiers.reasons import Reason
from workflow.errors import GuardFailed

DIGEST_ALGORITHM = "sha256"
REQUEST_FORMAT = "thidua-signing-request/1"


@dataclass(frozen=True)
class Prepared:
    pdf: bytes  # with the signature field reserved and empty
    digest: bytes
    region_start: int
    region_end: int


def prepare(pdf: bytes, certificate: Certificate, *, reason: str, location: str) -> Prepared:
    """The document as it will be signed, and the digest the signer's key signs."""
    placeholder = signers.ExternalSigner(
        signing_cert=certificate.asn1,
        cert_registry=SimpleCertificateStore.from_certs([certificate.asn1]),
        signature_value=256,
    )
    pdf_signer = signers.PdfSigner(metadata(reason=reason, location=location), signer=placeholder)
    prepared, _tbs, output = asyncio.run(
        pdf_signer.async_digest_doc_for_signing(
            IncrementalPdfFileWriter(BytesIO(pdf)),
            bytes_reserved=settings.SIGNING_RESERVED_BYTES,
        )
    )
    return Prepared(
        pdf=output.getvalue(), digest=prepared.document_digest,
        region_start=prepared.reserved_region_start, region_end=prepared.reserved_region_end,
    )  # fmt: skip


def request(*, reference: str, digest: str, certificate: Certificate) -> dict:
    """What the signer's tool needs: the digest, and whose key must sign it."""
    return {
        "format": REQUEST_FORMAT,
        "decision": reference,
        "digest_algorithm": DIGEST_ALGORITHM,
        "document_digest": digest,
        "certificate_sha256": certificate.fingerprint,
        "signer": certificate.common_name,
    }


def _refused(message) -> GuardFailed:
    return GuardFailed([Reason(message)])


def parse_signature(data: bytes, *, digest: bytes, certificate: Certificate) -> cms.ContentInfo:
    """The signer's CMS, checked to sign this digest with the registered certificate's key."""
    try:
        content = cms.ContentInfo.load(data)
        signed_data = content["content"]
        if content["content_type"].native != "signed_data":
            raise ValueError("not signed data")
        signer_info = signed_data["signer_infos"][0]
        attributes = {a["type"].native: a["values"][0] for a in signer_info["signed_attrs"]}
        message_digest = attributes["message_digest"].native
        embedded = [c.chosen for c in signed_data["certificates"]]
    except Exception as exc:  # asn1crypto raises many kinds on garbage
        not_cms = _("The file is not a CMS signature (.p7s) made by the signing tool.")
        raise _refused(not_cms) from exc
    if message_digest != digest:
        raise _refused(_("This signature is for another document, or for an earlier preparation "
                         "of this one: sign the current signing request."))  # fmt: skip
    sid = signer_info["sid"]
    signing = [c for c in embedded if sid.name == "issuer_and_serial_number"
               and c.serial_number == sid.chosen["serial_number"].native
               and c.issuer == sid.chosen["issuer"]]  # fmt: skip
    if not signing or hashlib.sha256(signing[0].dump()).hexdigest() != certificate.fingerprint:
        found = signing[0].subject.human_friendly if signing else "?"
        raise GuardFailed([Reason(
            _("The signature was made with the certificate of “{found}”, not with the one "
              "registered for “{subject}”."),
            {"found": found, "subject": certificate.common_name},
        )])  # fmt: skip
    return content


def add_timestamp(content: cms.ContentInfo) -> cms.ContentInfo:
    """The authority's timestamp over the signature value (PAdES B-T), when one is configured."""
    stamper = timestamper()
    if stamper is None:
        return content
    signer_info = content["content"]["signer_infos"][0]
    imprint = hashlib.sha256(signer_info["signature"].native).digest()
    token = asyncio.run(stamper.async_timestamp(imprint, DIGEST_ALGORITHM))
    attribute = cms.CMSAttribute({"type": "signature_time_stamp_token", "values": [token]})
    signer_info["unsigned_attrs"] = cms.CMSAttributes([attribute])
    return cms.ContentInfo.load(content.dump(force=True))


def embed(prepared: Prepared, content: cms.ContentInfo, certificate: Certificate) -> bytes:
    """The signed PDF; refused unless pyHanko finds the signature intact and by the certificate."""
    output = BytesIO(prepared.pdf)
    digest = PreparedByteRangeDigest(
        document_digest=prepared.digest, reserved_region_start=prepared.region_start,
        reserved_region_end=prepared.region_end,
    )  # fmt: skip
    try:
        PdfTBSDocument.finish_signing(output, digest, content)
    except Exception as exc:
        raise _refused(_("The signature is too large for the space reserved in the document: "
                         "prepare it again.")) from exc  # fmt: skip
    data = output.getvalue()
    signature = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[-1]
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=[certificate.asn1], allow_fetching=False)
    )
    if not (status.intact and status.valid):
        raise _refused(_("The signature does not verify against the prepared document: it was "
                         "not made over this signing request's digest."))  # fmt: skip
    return data
