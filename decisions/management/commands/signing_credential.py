"""Register, list and archive people's own signing certificates (the IT officer's tool).

    manage.py signing_credential add hieutruong --pkcs12 /etc/thidua/signers/hieutruong.p12
    manage.py signing_credential add pho.ht --pkcs11-library /usr/lib/x.so --token-label T \\
        --key-label K
    manage.py signing_credential add hieutruong --certificate hieutruong.cer   # own computer
    manage.py signing_credential list
    manage.py signing_credential archive 3

The PIN or passphrase is needed once, to read the certificate from the file or token; it is
never stored (the signer types it at each signing). Registering refuses a certificate that is
not issued to the person's name.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit import log
from decisions import credentials
from decisions.credentials import Certificate, SigningFailed
from decisions.models import SigningCredential
from dossiers.models import Person
from workflow.errors import DomainError

Kind = SigningCredential.Kind


class Command(BaseCommand):
    help = "Register, list or archive a person's own signing certificate."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="register a certificate for a person")
        add.add_argument("username")
        key = add.add_mutually_exclusive_group(required=True)
        key.add_argument("--pkcs12", help="a PKCS#12 file on this server")
        key.add_argument("--pkcs11-library", help="a PKCS#11 library on this server")
        key.add_argument("--certificate", help="the public certificate (PEM or DER) of a key at "
                                               "the signer's own computer")  # fmt: skip
        add.add_argument("--token-label", default="")
        add.add_argument("--key-label", default="")
        add.add_argument("--cert-label", default="")
        add.add_argument("--label", default="", help="how the signer recognises it")
        add.add_argument("--secret-env", help="environment variable with the PIN/passphrase")
        listing = commands.add_parser("list", help="the registered certificates")
        listing.add_argument("username", nargs="?")
        archive = commands.add_parser("archive", help="stop a certificate from signing")
        archive.add_argument("id", type=int)

    def handle(self, *args, command, **options):
        try:
            getattr(self, f"_{command}")(**options)
        except DomainError as error:
            reasons = getattr(error, "reasons", None) or [error]
            raise CommandError("; ".join(str(r) for r in reasons)) from error
        except SigningFailed as error:
            raise CommandError(str(error)) from error

    def _add(self, *, username, label, **options):
        person = _person(username)
        kind, certificate, location = _read(options)
        credential = credentials.register(
            person=person, kind=kind, certificate=certificate, label=label, actor=_operator(),
            **location,
        )  # fmt: skip
        self.stdout.write(
            f"Registered #{credential.pk} for {person.full_name}: {certificate.subject}, "
            f"valid until {_day(certificate.not_after)}, SHA-256 {certificate.fingerprint}"
        )

    def _list(self, *, username=None, **_options):
        rows = SigningCredential.objects.select_related("person__user").order_by("pk")
        if username:
            rows = rows.filter(person__user__username=username)
        for row in rows:
            state = "archived" if row.archived_at else "active"
            self.stdout.write(
                f"#{row.pk}\t{row.person.user.username}\t{row.kind}\t{state}\t"
                f"{row.subject_name}\tuntil {_day(row.not_after)}\t{row.fingerprint[:16]}…"
            )

    def _archive(self, *, id, **_options):
        credential = SigningCredential.objects.select_related("person__institution")
        credential = credential.filter(pk=id, archived_at__isnull=True).first()
        if credential is None:
            raise CommandError(f"No active signing certificate #{id}.")
        credentials.archive(credential, actor=_operator())
        self.stdout.write(f"Archived #{id}: it no longer signs.")


def _day(moment) -> str:
    """The date in the institution's time zone, as the signing refusal prints it."""
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def _operator() -> log.Actor:
    """The trail names the server account that ran the command."""
    return log.Actor(person=None, role="system", name=f"manage.py ({getpass.getuser()})")


def _person(username: str) -> Person:
    person = Person.objects.select_related("institution").filter(user__username=username).first()
    if person is None:
        raise CommandError(f"No person with the account {username!r}.")
    return person


def _secret(options) -> str:
    if options.get("secret_env"):
        if options["secret_env"] not in os.environ:
            raise CommandError(f"The environment variable {options['secret_env']} is not set.")
        return os.environ[options["secret_env"]]
    return getpass.getpass("PIN / passphrase (to read the certificate; not stored): ")


def _read(options) -> tuple[str, Certificate, dict]:
    """The kind, the certificate read from the key's place, and that place."""
    if options["certificate"]:
        try:
            return Kind.EXTERNAL, Certificate.load(Path(options["certificate"]).read_bytes()), {}
        except (OSError, ValueError) as error:
            raise CommandError(f"{options['certificate']}: {error}") from error
    if options["pkcs12"]:
        path = Path(options["pkcs12"]).resolve()
        signer = credentials.pkcs12_signer(path, _secret(options))
        return Kind.PKCS12, Certificate.load(signer.signing_cert.dump()), {"pkcs12_path": str(path)}
    if not (options["token_label"] and options["key_label"]):
        raise CommandError("--pkcs11-library needs --token-label and --key-label.")
    location = {
        "pkcs11_library": options["pkcs11_library"], "token_label": options["token_label"],
        "key_label": options["key_label"], "cert_label": options["cert_label"],
    }  # fmt: skip
    place = SigningCredential(**location)
    with credentials.pkcs11_signer(place, _secret(options)) as signer:
        try:
            certificate = Certificate.load(signer.signing_cert.dump())
        except Exception as error:
            raise CommandError(f"the token has no certificate labelled so: {error}") from error
    return Kind.PKCS11, certificate, location
