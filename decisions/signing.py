"""PAdES signatures with pyHanko, from a PKCS#12 file or a PKCS#11 token (USB token, SoftHSM2).

Which one is a setting (DECISION_SIGNER); both produce the same signature, which poppler's
`pdfsig` and pyHanko validate.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers


class SigningFailed(Exception):
    """The signature could not be made (no key, wrong PIN, token absent, ...)."""


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    signer_name: str


@contextmanager
def configured_signer():
    """The pyHanko signer of the configured backend, open for the duration of the block."""
    backend = settings.DECISION_SIGNER
    if backend == "pkcs12":
        yield _pkcs12_signer()
    elif backend == "pkcs11":
        with _pkcs11_signer() as signer:
            yield signer
    else:
        raise ImproperlyConfigured(f"DECISION_SIGNER={backend!r}: use pkcs12 or pkcs11.")


def _pkcs12_signer():
    # Not SimpleSigner.load_pkcs12: it swallows every error into None (after logging a
    # traceback), so a missing file was reported as "wrong passphrase?".
    try:
        data = Path(settings.SIGNING_PKCS12_PATH).read_bytes()
    except OSError as exc:
        raise SigningFailed(
            f"cannot read the PKCS#12 signing certificate: {exc.strerror or exc}"
        ) from exc
    passphrase = settings.SIGNING_PKCS12_PASSPHRASE
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase.encode() if passphrase else None
        )
    except ValueError as exc:
        raise SigningFailed(
            "cannot load the PKCS#12 signing certificate (wrong passphrase?)"
        ) from exc


@contextmanager
def _pkcs11_signer():
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    try:
        session = pkcs11.open_pkcs11_session(
            settings.SIGNING_PKCS11_LIBRARY,
            token_criteria=TokenCriteria(label=settings.SIGNING_PKCS11_TOKEN_LABEL),
            user_pin=settings.SIGNING_PKCS11_PIN,
        )
    except Exception as exc:
        raise SigningFailed(f"cannot open the PKCS#11 token: {exc.__class__.__name__}") from exc
    try:
        yield pkcs11.PKCS11Signer(
            session,
            cert_label=settings.SIGNING_PKCS11_CERT_LABEL,
            key_label=settings.SIGNING_PKCS11_KEY_LABEL,
        )
    finally:
        session.close()


def sign_pdf(pdf: bytes, *, reason: str, location: str) -> SignedPdf:
    """Add a PAdES signature (/ETSI.CAdES.detached) covering the whole document."""
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    try:
        with configured_signer() as signer:
            out = signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer)
            name = signer.signing_cert.subject.human_friendly
    except SigningFailed:
        raise
    except Exception as exc:
        raise SigningFailed(f"signing failed: {exc.__class__.__name__}: {exc}") from exc
    return SignedPdf(data=out.getvalue(), signer_name=name)
