"""Checkpoints: an institution's chain head, signed, so that a copy of the trail can be proved.

A checkpoint file (JSON) holds the checkpoint and a detached CMS (PKCS#7) signature over its
canonical JSON, with the signer's certificate inside the CMS:

    {"checkpoint": {"format": "thidua-audit-checkpoint/1", "institution": "...",
                    "sequence": 42, "hash": "<64 hex>", "time": "2026-05-10T00:05:00.000000Z"},
     "signature": "<base64 of the DER CMS SignedData>"}

Signing lives in decisions (the institution's signing key); this module only reads and checks,
so `verify_audit --file trail.jsonl --checkpoint cp.json` works without the database.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

FORMAT = "thidua-audit-checkpoint/1"
FIELDS = ("format", "institution", "sequence", "hash", "time")


def body(*, institution: str, sequence: int, hash: str, time: str) -> dict:
    return {"format": FORMAT, "institution": institution, "sequence": sequence, "hash": hash,
            "time": time}  # fmt: skip


def canonical_bytes(checkpoint: dict) -> bytes:
    """The bytes that are signed: the chain's canonical JSON rules, UTF-8."""
    return json.dumps(checkpoint, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def document(checkpoint: dict, signature_der: bytes) -> str:
    """The checkpoint file's text."""
    signature = base64.b64encode(signature_der).decode("ascii")
    return json.dumps({"checkpoint": checkpoint, "signature": signature}, ensure_ascii=False,
                      indent=2, sort_keys=True) + "\n"  # fmt: skip


@dataclass(frozen=True)
class Verified:
    """A checkpoint whose signature verified, and who signed it."""

    institution: str
    sequence: int
    hash: str
    time: str
    signer: str
    certificate_sha256: str  # of the signing certificate's DER: what a reader compares


class InvalidCheckpoint(ValueError):
    """The file is not a checkpoint, or its signature does not verify."""


def load(text: str) -> tuple[dict, bytes]:
    """The checkpoint and its DER signature; InvalidCheckpoint names what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidCheckpoint(f"not JSON: {exc.msg}") from None
    if not isinstance(data, dict) or set(data) != {"checkpoint", "signature"}:
        raise InvalidCheckpoint('expected exactly the fields "checkpoint" and "signature"')
    checkpoint = data["checkpoint"]
    if not isinstance(checkpoint, dict) or set(checkpoint) != set(FIELDS):
        raise InvalidCheckpoint(f"the checkpoint must have exactly the fields {', '.join(FIELDS)}")
    if checkpoint["format"] != FORMAT:
        raise InvalidCheckpoint(f"unknown format {checkpoint['format']!r}")
    sequence = checkpoint["sequence"]
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
        raise InvalidCheckpoint("its sequence is not a whole number")
    try:
        signature = base64.b64decode(data["signature"], validate=True)
    except (binascii.Error, TypeError):
        raise InvalidCheckpoint("its signature is not base64") from None
    return checkpoint, signature


def certificate_fingerprint(certificate: bytes) -> str:
    """SHA-256 of a certificate given as PEM or DER; InvalidCheckpoint when it is neither."""
    from asn1crypto import pem, x509

    try:
        if pem.detect(certificate):
            _type, _headers, certificate = pem.unarmor(certificate)
        x509.Certificate.load(certificate).native  # noqa: B018 (parse it all: refuse garbage)
    except Exception:
        raise InvalidCheckpoint("the certificate given is not a PEM or DER certificate") from None
    return hashlib.sha256(certificate).hexdigest()


def verify(text: str, *, trusted: bytes | None = None) -> Verified:
    """Check the signature against the certificate it carries; the verified checkpoint.

    With `trusted` (a certificate, PEM or DER) the checkpoint must be signed by exactly that
    certificate: a signature that merely verifies proves nothing about who made it.
    """
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext

    checkpoint, signature = load(text)
    try:
        signed_data = cms.ContentInfo.load(signature)["content"]
        # Whether the certificate chains to a trusted CA is the reader's judgement (compare it
        # with the institution's published certificate); no trust roots are consulted here.
        context = ValidationContext(trust_roots=[], allow_fetching=False)
        status = asyncio.run(
            async_validate_detached_cms(canonical_bytes(checkpoint), signed_data, context)
        )
    except Exception as exc:
        raise InvalidCheckpoint(
            f"its signature cannot be read ({exc.__class__.__name__})"
        ) from None
    if not (status.intact and status.valid):
        raise InvalidCheckpoint("its signature does not match its content")
    fingerprint = hashlib.sha256(status.signing_cert.dump()).hexdigest()
    if trusted is not None and certificate_fingerprint(trusted) != fingerprint:
        raise InvalidCheckpoint(
            f"it is signed by {status.signing_cert.subject.human_friendly} "
            f"(certificate SHA-256 {fingerprint}), not by the certificate given"
        )
    return Verified(
        institution=checkpoint["institution"], sequence=checkpoint["sequence"],
        hash=checkpoint["hash"], time=checkpoint["time"],
        signer=status.signing_cert.subject.human_friendly, certificate_sha256=fingerprint,
    )  # fmt: skip
