"""PAdES signatures with pyHanko: a decision with its signer's own key, a checkpoint with the
institution's system key (DECISION_SIGNER: a PKCS#12 file or a PKCS#11 token).

With SIGNING_TSA_URL set, a decision's signature carries a timestamp from that authority
(PAdES B-T); poppler's `pdfsig` and pyHanko validate both kinds.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from decisions import credentials
from decisions.credentials import SigningFailed
from decisions.models import SigningCredential

__all__ = ["SignedPdf", "SigningFailed", "configured_signer", "sign_pdf", "timestamper"]


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    signer_name: str


@contextmanager
def configured_signer():
    """The institution's system signer (checkpoints), open for the duration of the block."""
    backend = settings.DECISION_SIGNER
    if backend == "pkcs12":
        yield credentials.pkcs12_signer(
            Path(settings.SIGNING_PKCS12_PATH), settings.SIGNING_PKCS12_PASSPHRASE
        )
    elif backend == "pkcs11":
        location = SimpleNamespace(
            pkcs11_library=settings.SIGNING_PKCS11_LIBRARY,
            token_label=settings.SIGNING_PKCS11_TOKEN_LABEL,
            key_label=settings.SIGNING_PKCS11_KEY_LABEL,
            cert_label=settings.SIGNING_PKCS11_CERT_LABEL,
        )
        with credentials.pkcs11_signer(location, settings.SIGNING_PKCS11_PIN) as signer:
            yield signer
    else:
        raise ImproperlyConfigured(f"DECISION_SIGNER={backend!r}: use pkcs12 or pkcs11.")


def timestamper():
    """The configured timestamp authority (RFC 3161), or None."""
    if not settings.SIGNING_TSA_URL:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(settings.SIGNING_TSA_URL, timeout=settings.SIGNING_TSA_TIMEOUT)


def metadata(*, reason: str, location: str) -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )


def sign_pdf(
    pdf: bytes, *, credential: SigningCredential, secret: str, reason: str, location: str
) -> SignedPdf:
    """Add a PAdES signature (/ETSI.CAdES.detached) covering the whole document, made with the
    credential's key (which must hold the registered certificate)."""
    try:
        with credentials.signer_for(credential, secret) as signer:
            out = signers.sign_pdf(
                IncrementalPdfFileWriter(BytesIO(pdf)),
                metadata(reason=reason, location=location),
                signer=signer,
                timestamper=timestamper(),
            )
            name = signer.signing_cert.subject.human_friendly
    except SigningFailed:
        raise
    except Exception as exc:
        raise SigningFailed(f"signing failed: {exc.__class__.__name__}: {exc}") from exc
    return SignedPdf(data=out.getvalue(), signer_name=name)
