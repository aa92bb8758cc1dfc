#!/usr/bin/env python3
"""Sign a decision's signing request at your own computer, with your USB token or PKCS#12 file.

The server prepared the decision and gave you a signing request (a small JSON file with the
document's digest and the fingerprint of your registered certificate). This tool signs that
digest with your key and writes a CMS signature (.p7s) to upload back. It needs only pyHanko
(`pip install "pyhanko[pkcs11]"`), not the product.

    sign_digest.py request.json --pkcs11-library /usr/lib/.../libpkcs11.so \\
        --token-label "VNPT-CA" --key-label "my key" -o signature.p7s
    sign_digest.py request.json --pkcs12 my-certificate.p12 -o signature.p7s
    sign_digest.py request.json ... --pdf prepared.pdf   # also check the digest is this PDF's

The PIN or passphrase is asked for, or read from the environment variable --secret-env names.
Exit codes: 0 signed, 1 refused (wrong key, wrong PDF, bad request), 2 the key could not be used.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import hashlib
import json
import os
import re
import sys
from pathlib import Path

REQUEST_FORMAT = "thidua-signing-request/1"


class Refused(Exception):
    """The request cannot be signed as asked (exit code 1)."""


class KeyUnusable(Exception):
    """The token or file could not be opened (exit code 2)."""


def read_request(path: Path) -> dict:
    try:
        request = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Refused(f"cannot read the signing request {path}: {exc}") from exc
    if not isinstance(request, dict) or request.get("format") != REQUEST_FORMAT:
        raise Refused(f"{path} is not a signing request ({REQUEST_FORMAT})")
    if request.get("digest_algorithm") != "sha256":
        raise Refused(f"unsupported digest algorithm {request.get('digest_algorithm')!r}")
    digest = str(request.get("document_digest", ""))
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise Refused("the signing request has no valid SHA-256 document digest")
    return request


def byte_range_digest(pdf: bytes) -> str:
    """SHA-256 over the PDF's last /ByteRange: what its signature will cover."""
    ranges = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    if not ranges:
        raise Refused("the PDF has no signature field prepared for signing")
    start1, length1, start2, length2 = (int(n) for n in ranges[-1])
    digest = hashlib.sha256(pdf[start1 : start1 + length1])
    digest.update(pdf[start2 : start2 + length2])
    return digest.hexdigest()


def open_signer(args, secret: str):
    """A pyHanko signer for the chosen key, and a function that closes it."""
    from pyhanko.sign import signers

    if args.pkcs12:
        try:
            data = Path(args.pkcs12).read_bytes()
            signer = signers.SimpleSigner.load_pkcs12_data(
                data, other_certs=(), passphrase=secret.encode() if secret else None
            )
        except (OSError, ValueError) as exc:
            raise KeyUnusable(f"cannot open {args.pkcs12} (wrong passphrase?): {exc}") from exc
        return signer, lambda: None
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    try:
        session = pkcs11.open_pkcs11_session(
            args.pkcs11_library, token_criteria=TokenCriteria(label=args.token_label),
            user_pin=secret,
        )  # fmt: skip
    except Exception as exc:
        raise KeyUnusable(f"cannot open the token: {exc.__class__.__name__} {exc}") from exc
    signer = pkcs11.PKCS11Signer(
        session, key_label=args.key_label, cert_label=args.cert_label or args.key_label
    )
    return signer, session.close


def sign(request: dict, signer) -> bytes:
    """The CMS signature (DER) over the request's digest, by `signer`'s key (PAdES attributes)."""
    try:
        certificate = signer.signing_cert
    except Exception as exc:
        raise KeyUnusable(f"the key's certificate cannot be read: {exc}") from exc
    found = hashlib.sha256(certificate.dump()).hexdigest()
    if found != request["certificate_sha256"]:
        raise Refused(
            f"this key holds the certificate of “{certificate.subject.human_friendly}” "
            f"({found[:16]}…); the request is for “{request.get('signer', '?')}” "
            f"({request['certificate_sha256'][:16]}…)"
        )
    digest = bytes.fromhex(request["document_digest"])
    try:
        content = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True))
    except Exception as exc:
        raise KeyUnusable(f"the key refused to sign: {exc.__class__.__name__} {exc}") from exc
    return content.dump()


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("request", type=Path, help="the signing request (.json)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the .p7s to write")
    parser.add_argument("--pdf", type=Path, help="the prepared PDF: check the request is for it")
    key = parser.add_mutually_exclusive_group(required=True)
    key.add_argument("--pkcs12", help="a PKCS#12 (.p12/.pfx) file")
    key.add_argument("--pkcs11-library", help="the token's PKCS#11 library (.so/.dll)")
    parser.add_argument("--token-label", help="the token's label")
    parser.add_argument("--key-label", help="the key's label on the token")
    parser.add_argument("--cert-label", help="the certificate's label (default: the key's)")
    parser.add_argument("--secret-env", help="environment variable holding the PIN/passphrase")
    args = parser.parse_args(argv)
    if args.pkcs11_library and not (args.token_label and args.key_label):
        parser.error("--pkcs11-library needs --token-label and --key-label")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    try:
        request = read_request(args.request)
        pdf_digest = byte_range_digest(args.pdf.read_bytes()) if args.pdf else None
        if pdf_digest is not None and pdf_digest != request["document_digest"]:
            raise Refused(f"the request is not for {args.pdf}: its digests differ")
        if args.secret_env:
            secret = os.environ.get(args.secret_env, "")
        else:
            secret = getpass.getpass("PIN / passphrase: ")
        signer, close = open_signer(args, secret)
        try:
            signature = sign(request, signer)
        finally:
            close()
    except Refused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    except KeyUnusable as exc:
        print(f"key unusable: {exc}", file=sys.stderr)
        return 2
    args.output.write_bytes(signature)
    print(f"signed {request.get('decision', '')}: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
