"""Deploy checks (`manage.py check --deploy`): what signing and verification need in production."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_https(app_configs=None, **kwargs) -> list:
    """SITE_URL is printed on every signed decision and its QR code: it must be the public,
    HTTPS address, never the default."""
    if settings.SITE_URL.startswith("https://"):
        return []
    return [
        checks.Warning(
            f"SITE_URL is {settings.SITE_URL!r}: signed decisions would send readers there.",
            hint="Set SITE_URL to the public https:// address of this installation.",
            id="decisions.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def system_key_is_readable(app_configs=None, **kwargs) -> list:
    """The institution's system key signs the audit checkpoints: it must be there to open."""
    from decisions.signing import SigningFailed, configured_signer

    if settings.DECISION_SIGNER == "pkcs11" and not Path(settings.SIGNING_PKCS11_LIBRARY).is_file():
        problem = f"the PKCS#11 library {settings.SIGNING_PKCS11_LIBRARY!r} is not a file"
    else:
        try:
            with configured_signer():
                return []
        except SigningFailed as error:
            problem = str(error)
        except Exception as error:  # a misconfigured backend: said as it is
            problem = f"{error.__class__.__name__}: {error}"
    return [
        checks.Warning(
            f"The system signing key cannot be opened: {problem}.",
            hint="Set SIGNING_PKCS12_PATH and SIGNING_PKCS12_PASSPHRASE (or DECISION_SIGNER=pkcs11 "
            "and its SIGNING_PKCS11_* settings); README, 'Deploying'.",
            id="decisions.W002",
        )
    ]
