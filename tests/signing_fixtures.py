"""Fixtures for signing tests: a PKCS#12 demo certificate and a real SoftHSM2 token per session.

Test modules load them with `pytest_plugins = ["tests.signing_fixtures"]` and must not import
this module themselves (pytest could then no longer register it as a plugin); the PDF helpers
are the `pdf_tools` fixture for that reason.

Nothing here is mocked: the token is a real SoftHSM2 token in a temporary folder, reached through
PKCS#11 exactly like a USB token, and `pdfsig` is poppler's. When a tool is missing the tests
fail (CI installs poppler-utils, softhsm2 and opensc; see the Makefile) instead of skipping.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils import timezone

from audit import log
from decisions import credentials
from decisions.credentials import Certificate
from decisions.models import SigningCredential
from dossiers.demo_certificate import create_demo_certificate, self_signed_certificate
from dossiers.models import AwardType, Delegation, Role, State
from tests.conftest import make_person
from tests.factories import dossiers_in, own_certificate

SOFTHSM_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "signer"
TOKEN_SO_PIN = "1234"
TOKEN_PIN = "5678"
TOKEN_KEY_LABEL = "principal"
PKCS12_PASSPHRASE = "mat-khau-demo"
PKCS12_SIGNER_NAME = "Nguyễn Văn Ký Thử"
TOKEN_SIGNER_NAME = "Trần Thị Token"
AWARDEES = ("Nguyễn Thị Hương", "Phạm Đức Thắng")
INSTALL_HINT = "install the Debian packages poppler-utils, softhsm2 and opensc (`make test` does)"


def require_tool(name: str) -> str:
    """The tool's path; a clear failure (never a skip) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not installed: {INSTALL_HINT}.", pytrace=False)
    return path


@dataclass(frozen=True)
class Credentials:
    """What a test needs to know about the signing identity."""

    common_name: str
    certificate: asn1_x509.Certificate  # a trust root for pyHanko's validation
    pkcs12_path: Path | None = None
    passphrase: str = ""  # the PKCS#12 file's passphrase, or the token's user PIN


# --- PKCS#12 ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_certificate(tmp_path_factory) -> Credentials:
    """The demo principal's self-signed certificate as a passphrase-protected PKCS#12 file."""
    path = tmp_path_factory.mktemp("pkcs12") / "demo-signer.p12"
    assert create_demo_certificate(
        path, passphrase=PKCS12_PASSPHRASE, common_name=PKCS12_SIGNER_NAME
    )
    _key, cert, _others = pkcs12.load_key_and_certificates(
        path.read_bytes(), PKCS12_PASSPHRASE.encode()
    )
    return Credentials(
        common_name=PKCS12_SIGNER_NAME,
        certificate=_asn1(cert),
        pkcs12_path=path,
        passphrase=PKCS12_PASSPHRASE,
    )


@pytest.fixture
def system_key(settings, demo_certificate) -> Credentials:
    """The institution's system key (it signs the audit checkpoints): the demo PKCS#12 file."""
    settings.DECISION_SIGNER = "pkcs12"
    settings.SIGNING_PKCS12_PATH = str(demo_certificate.pkcs12_path)
    settings.SIGNING_PKCS12_PASSPHRASE = demo_certificate.passphrase
    return demo_certificate


@pytest.fixture
def pkcs12_signing(settings, tmp_path, system_key, principal) -> Credentials:
    """The principal signs with their own PKCS#12 certificate on the server (no passphrase);
    signed decisions are stored under this test's tmp_path."""
    settings.MEDIA_ROOT = tmp_path
    credential = own_certificate(principal)
    return Credentials(
        common_name=principal.full_name,
        certificate=credentials.of(credential).asn1,
        pkcs12_path=Path(credential.pkcs12_path),
    )


# --- PKCS#11 (SoftHSM2) -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory):
    """A real SoftHSM2 token "signer" holding the key and certificate labelled "principal".

    SOFTHSM2_CONF points at a config whose token folder is temporary, for the whole session (the
    library reads it once, when first loaded), and is restored afterwards.
    """
    softhsm_util = require_tool("softhsm2-util")
    pkcs11_tool = require_tool("pkcs11-tool")
    if not Path(SOFTHSM_LIBRARY).exists():
        pytest.fail(f"{SOFTHSM_LIBRARY} is missing: {INSTALL_HINT}.", pytrace=False)

    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    config = folder / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {folder / 'tokens'}\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n",
        encoding="utf-8",
    )
    key, cert = self_signed_certificate(TOKEN_SIGNER_NAME, organisation="SoftHSM2 test token")
    key_file, cert_file = folder / "key.p8", folder / "cert.der"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.DER))

    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(config)
    try:
        _run(softhsm_util, "--init-token", "--free", "--label", TOKEN_LABEL,
             "--so-pin", TOKEN_SO_PIN, "--pin", TOKEN_PIN)  # fmt: skip
        _run(softhsm_util, "--import", str(key_file), "--token", TOKEN_LABEL,
             "--label", TOKEN_KEY_LABEL, "--id", "01", "--pin", TOKEN_PIN)  # fmt: skip
        _run(pkcs11_tool, "--module", SOFTHSM_LIBRARY, "--login", "--pin", TOKEN_PIN,
             "--write-object", str(cert_file), "--type", "cert", "--id", "01",
             "--label", TOKEN_KEY_LABEL)  # fmt: skip
        key_file.unlink()  # the key now lives only in the token
        yield Credentials(
            common_name=TOKEN_SIGNER_NAME, certificate=_asn1(cert), passphrase=TOKEN_PIN
        )
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture
def token_holder(principal, softhsm_token):
    """The principal, named as the token's certificate is issued."""
    principal.full_name = softhsm_token.common_name
    principal.save(update_fields=["full_name"])
    return principal


@pytest.fixture
def pkcs11_signing(settings, tmp_path, system_key, softhsm_token, token_holder) -> Credentials:
    """The principal signs through their SoftHSM2 token (their PIN typed at each signing);
    signed decisions are stored under this test's tmp_path."""
    settings.MEDIA_ROOT = tmp_path
    credentials.register(
        person=token_holder, kind=SigningCredential.Kind.PKCS11, label="USB token",
        certificate=Certificate.load(softhsm_token.certificate.dump()), actor=log.SYSTEM,
        pkcs11_library=SOFTHSM_LIBRARY, token_label=TOKEN_LABEL, key_label=TOKEN_KEY_LABEL,
        cert_label=TOKEN_KEY_LABEL,
    )  # fmt: skip
    return softhsm_token


def _run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}",
            pytrace=False,
        )


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


# --- People and decisions -----------------------------------------------------------------------


@pytest.fixture
def vice_principal(institution, unit_b):
    """A vice principal with a signing certificate of his own."""
    vice = make_person(
        institution, unit_b, roles=[Role.VICE_PRINCIPAL], username="vice",
        full_name="Lê Văn Phó",
    )  # fmt: skip
    own_certificate(vice)
    return vice


@pytest.fixture
def delegated_vice(institution, principal, vice_principal):
    """The vice principal, holding the principal's role by an active delegation."""
    today = timezone.localdate()
    Delegation.objects.create(
        institution=institution, delegator=principal, delegate=vice_principal,
        role=Role.PRINCIPAL, starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=1), reason="Hiệu trưởng đi công tác",
    )  # fmt: skip
    return vice_principal


@pytest.fixture
def draft_decision(period, unit_a, principal):
    """A factory: a draft decision over recommended dossiers whose nominees have the given names."""
    from decisions.services import prepare_decision

    def make(names=AWARDEES):
        institution = unit_a.institution
        nominees = [make_person(institution, unit_a, full_name=name) for name in names]
        dossiers = dossiers_in(State.RECOMMENDED, period, unit_a, nominees=nominees)
        return prepare_decision(
            person=principal,
            award_type=AwardType.objects.get(institution=institution, code="advanced_worker"),
            dossier_ids=[d.pk for d in dossiers],
        )

    return make


# --- Looking at PDFs ----------------------------------------------------------------------------


class PdfTools:
    """poppler's command-line tools and byte-level helpers, as the `pdf_tools` fixture."""

    @staticmethod
    def pdfsig(path: Path) -> str:
        """poppler's `pdfsig` report on a file (stdout and stderr together)."""
        result = subprocess.run(  # noqa: S603
            [require_tool("pdfsig"), str(path)], capture_output=True, text=True, check=False
        )
        return result.stdout + result.stderr

    @staticmethod
    def text(path: Path) -> str:
        """The text poppler's `pdftotext` extracts, in reading order."""
        result = subprocess.run(  # noqa: S603
            [require_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
            capture_output=True, check=True,
        )  # fmt: skip
        return result.stdout.decode("utf-8")

    @staticmethod
    def signed_range(data: bytes) -> tuple[int, int, int, int]:
        """The /ByteRange of the last signature: [start1 length1 start2 length2]."""
        ranges = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
        assert ranges, "the PDF has no signature /ByteRange"
        return tuple(int(n) for n in ranges[-1])

    def flip_signed_byte(self, data: bytes) -> bytes:
        """The file with one byte of its signed content flipped, still a readable PDF.

        The byte is in the binary comment on the second line (`%` and four high bytes), inside
        the first signed range: the signature no longer matches, yet readers still parse it.
        """
        start, length, _start2, _length2 = self.signed_range(data)
        offset = data.index(b"\n", data.index(b"%PDF-")) + 2  # 2nd byte of the comment line
        assert data[offset - 1 : offset] == b"%" and start <= offset < start + length
        flipped = bytearray(data)
        flipped[offset] ^= 0x01
        return bytes(flipped)

    @staticmethod
    def sha256(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="session")
def pdf_tools() -> PdfTools:
    require_tool("pdfsig")
    require_tool("pdftotext")
    return PdfTools()


@pytest.fixture
def media_files(settings):
    """A callable: the set of files under MEDIA_ROOT now."""

    def snapshot() -> set[Path]:
        return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}

    return snapshot


# --- A timestamp authority ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def timestamp_authority():
    """A real RFC 3161 timestamp authority over HTTP on 127.0.0.1, with its own certificate.

    Requests travel exactly as to a CA's TSA (pyHanko's HTTPTimeStamper, application/
    timestamp-query); answers are signed with the authority's key by pyHanko's TSA responder.
    Yields (url, certificate) — the certificate is the trust root to validate timestamps.
    """
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from asn1crypto import keys, tsp
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA thử nghiệm")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    responder = DummyTimeStamper(
        tsa_cert=_asn1(cert),
        tsa_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = responder.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", _asn1(cert)
    finally:
        server.shutdown()
        server.server_close()
