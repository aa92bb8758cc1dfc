"""Each signer's own certificate: registering it, choosing it, and checking that it is theirs.

The certificate's subject, the signer printed on the decision and the person in the audit event
must be one person: `problems` names every way they disagree, and signing refuses on any.
"""

from __future__ import annotations

import datetime
import hashlib
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import log
from decisions.models import SigningCredential
from dossiers.models import Person
from dossiers.reasons import Reason
from workflow.errors import GuardFailed


class SigningFailed(Exception):
    """The signature could not be made (no key, wrong PIN, token absent, ...)."""


@dataclass(frozen=True)
class Certificate:
    """What the product needs of an X.509 certificate, read once."""

    asn1: asn1_x509.Certificate
    common_name: str
    subject: str
    issuer: str
    serial: str
    fingerprint: str
    not_before: datetime.datetime
    not_after: datetime.datetime

    @classmethod
    def load(cls, data: bytes) -> Certificate:
        """From DER or PEM bytes; ValueError when they are not a certificate."""
        try:
            if pem.detect(data):
                _type, _headers, data = pem.unarmor(data)
            cert = asn1_x509.Certificate.load(data)
            subject = cert.subject.native
            return cls(
                asn1=cert,
                common_name=subject.get("common_name", ""),
                subject=cert.subject.human_friendly,
                issuer=cert.issuer.human_friendly,
                serial=format(cert.serial_number, "X"),
                fingerprint=hashlib.sha256(cert.dump()).hexdigest(),
                not_before=cert.not_valid_before,
                not_after=cert.not_valid_after,
            )
        except Exception as exc:  # asn1crypto raises many kinds on garbage
            raise ValueError("not an X.509 certificate") from exc

    @property
    def pem(self) -> str:
        return pem.armor("CERTIFICATE", self.asn1.dump()).decode("ascii")


def of(credential: SigningCredential) -> Certificate:
    return Certificate.load(credential.certificate_pem.encode("ascii"))


def comparable_name(name: str) -> str:
    """A name as certificates write it: Vietnamese CAs issue "NGUYỄN VĂN A" or "NGUYEN VAN A"."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def name_problems(certificate: Certificate, person: Person) -> list[Reason]:
    if comparable_name(certificate.common_name) == comparable_name(person.full_name):
        return []
    return [
        Reason(
            _("The certificate is issued to “{subject}”, but the decision is signed by "
              "“{signer}”: each person signs with their own certificate."),
            {"subject": certificate.common_name or certificate.subject, "signer": person.full_name},
        )
    ]  # fmt: skip


def validity_problems(certificate: Certificate, at: datetime.datetime) -> list[Reason]:
    if certificate.not_before <= at <= certificate.not_after:
        return []
    return [
        Reason(
            _("The certificate of “{subject}” is valid from {start} to {end}, not today."),
            {"subject": certificate.common_name, "start": _day(certificate.not_before),
             "end": _day(certificate.not_after)},
        )
    ]  # fmt: skip


def _day(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def problems(credential: SigningCredential, person: Person) -> list[Reason]:
    """Why `person` may not sign with `credential` now (empty when they may)."""
    if credential.person_id != person.pk or credential.archived_at is not None:
        return [Reason(_("This signing certificate is not one of yours."))]
    certificate = of(credential)
    return name_problems(certificate, person) + validity_problems(certificate, timezone.now())


def active(person: Person):
    return SigningCredential.objects.filter(person=person, archived_at__isnull=True)


SERVER_KINDS = (SigningCredential.Kind.PKCS12, SigningCredential.Kind.PKCS11)
OWN_COMPUTER_KINDS = (SigningCredential.Kind.EXTERNAL,)


def choose(person: Person, credential_id: int | None, kinds=None) -> SigningCredential:
    """The credential the signer chose among those of `kinds` (the way they sign now: on the
    server, or at their own computer); with none chosen, their only one of those kinds."""
    own = list(active(person).order_by("-registered_at"))
    fitting = [c for c in own if kinds is None or c.kind in kinds]
    if credential_id is not None:
        chosen = next((c for c in own if c.pk == credential_id), None)
        if chosen is None:
            raise GuardFailed([Reason(_("This signing certificate is not one of yours."))])
        if chosen not in fitting:
            raise GuardFailed([_wrong_way(chosen)])
        return chosen
    if not fitting:
        if own:
            raise GuardFailed([_wrong_way(own[0])])
        raise GuardFailed([Reason(_("You have no signing certificate of your own registered: "
                                    "ask the IT officer to register it (manage.py "
                                    "signing_credential add)."))])  # fmt: skip
    if len(fitting) > 1:
        raise GuardFailed([Reason(_("Choose which of your signing certificates to sign with."))])
    return fitting[0]


def _wrong_way(credential: SigningCredential) -> Reason:
    if credential.kind in OWN_COMPUTER_KINDS:
        return Reason(_("This certificate's key is at your own computer: prepare the decision "
                        "for signing there."))  # fmt: skip
    return Reason(_("This certificate's key is on the server: sign in one step."))


# --- Registering ---------------------------------------------------------------------------------


def register(
    *, person: Person, kind: str, certificate: Certificate, label: str, actor: log.Actor,
    **location: str,
) -> SigningCredential:  # fmt: skip
    """Record that `person` signs with `certificate`; refused when it is not issued to them."""
    reasons = name_problems(certificate, person)
    if certificate.not_after < timezone.now():
        reasons += validity_problems(certificate, timezone.now())
    if reasons:
        raise GuardFailed(reasons)
    try:
        with transaction.atomic():
            credential = SigningCredential.objects.create(
                institution_id=person.institution_id, person=person, kind=kind,
                label=label or certificate.common_name, certificate_pem=certificate.pem,
                subject_name=certificate.common_name, issuer_name=certificate.issuer[:255],
                serial=certificate.serial, fingerprint=certificate.fingerprint,
                not_before=certificate.not_before, not_after=certificate.not_after, **location,
            )  # fmt: skip
            log.append(
                institution=person.institution, actor=actor,
                action="signing_credential.registered", object_type="signing_credential",
                object_id=credential.pk,
                payload={"person": person.pk, "kind": kind,
                         "subject": certificate.subject, "issuer": certificate.issuer,
                         "serial": certificate.serial, "fingerprint": certificate.fingerprint,
                         "not_after": certificate.not_after.isoformat()},
            )  # fmt: skip
    except IntegrityError as exc:
        already = Reason(_("This certificate is already registered for this person."))
        raise GuardFailed([already]) from exc
    return credential


def archive(credential: SigningCredential, *, actor: log.Actor) -> None:
    """No longer usable for signing; kept, since signed decisions and the trail name it."""
    with transaction.atomic():
        credential.archived_at = timezone.now()
        credential.save(update_fields=["archived_at"])
        log.append(
            institution=credential.person.institution, actor=actor,
            action="signing_credential.archived", object_type="signing_credential",
            object_id=credential.pk,
            payload={"person": credential.person_id, "fingerprint": credential.fingerprint},
        )  # fmt: skip


# --- Opening the key -----------------------------------------------------------------------------


@contextmanager
def signer_for(credential: SigningCredential, secret: str):
    """The pyHanko signer of the credential's key, open for the block; it must hold the
    registered certificate (a swapped file or token would sign as someone else)."""
    if credential.kind == SigningCredential.Kind.PKCS12:
        yield _checked(credential, pkcs12_signer(Path(credential.pkcs12_path), secret))
    elif credential.kind == SigningCredential.Kind.PKCS11:
        with pkcs11_signer(credential, secret) as signer:
            yield _checked(credential, signer)
    else:
        raise SigningFailed("this certificate signs at the signer's own computer, in two steps")


def _checked(credential: SigningCredential, signer):
    found = hashlib.sha256(signer.signing_cert.dump()).hexdigest()
    if found != credential.fingerprint:
        raise SigningFailed(
            f"the key holds the certificate of “{signer.signing_cert.subject.human_friendly}” "
            f"(SHA-256 {found[:16]}…), not the one registered for "
            f"“{credential.subject_name}” ({credential.fingerprint[:16]}…)"
        )
    return signer


def pkcs12_signer(path: Path, passphrase: str):
    from pyhanko.sign import signers

    # Not SimpleSigner.load_pkcs12: it swallows every error into None (after logging a
    # traceback), so a missing file was reported as "wrong passphrase?".
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningFailed(
            f"cannot read the PKCS#12 signing certificate: {exc.strerror or exc}"
        ) from exc
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase.encode() if passphrase else None
        )
    except ValueError as exc:
        raise SigningFailed(
            "cannot load the PKCS#12 signing certificate (wrong passphrase?)"
        ) from exc


@contextmanager
def pkcs11_signer(location, pin: str):
    """`location` has pkcs11_library, token_label, key_label and cert_label."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    try:
        session = pkcs11.open_pkcs11_session(
            location.pkcs11_library,
            token_criteria=TokenCriteria(label=location.token_label),
            user_pin=pin,
        )
    except Exception as exc:
        raise SigningFailed(f"cannot open the PKCS#11 token: {exc.__class__.__name__}") from exc
    try:
        yield pkcs11.PKCS11Signer(
            session,
            cert_label=location.cert_label or location.key_label,
            key_label=location.key_label,
        )
    finally:
        session.close()
