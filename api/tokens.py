"""Making, revoking and checking personal API tokens.

A token reads `tdkt_<prefix>_<secret>`: the prefix lets a person recognise it in their list,
the secret (32 random bytes) is never stored, only the SHA-256 of the whole token, which is
enough for a value that cannot be guessed (no slow password hash is needed).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import ApiToken
from audit import log
from dossiers.models import Person
from workflow.errors import NotFound

SCHEME = "tdkt"
ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"
STATUS_LABELS = {
    ACTIVE: gettext_lazy("Active"),
    EXPIRED: gettext_lazy("Expired"),
    REVOKED: gettext_lazy("Revoked"),
}


def hash_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def issue(*, person: Person, name: str, expires_on: datetime.date, client_address: str = ""):
    """A new token of `person`: the row, and the secret to show once."""
    name = (name or "").strip()
    today = timezone.localdate()
    errors = {}
    if not name:
        errors["name"] = _("Give the token a name, e.g. the script that will use it.")
    elif len(name) > 100:
        errors["name"] = _("The name may have at most 100 characters.")
    latest = today + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if expires_on is None or expires_on <= today:
        errors["expires_on"] = _("The expiry date must be after today.")
    elif expires_on > latest:
        errors["expires_on"] = _("A token may last until %(date)s at the latest.") % {
            "date": latest.strftime("%d/%m/%Y")
        }
    if person.user_id is None or not person.is_active:
        errors["name"] = _("Only a person who signs in may have API tokens.")
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    raw = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            person=person, name=name, prefix=prefix, key_hash=hash_of(raw), expires_on=expires_on
        )
        _audit(token, person, "api_token.created", client_address)
    return token, raw


def revoke(*, person: Person, token_id: int, client_address: str = "") -> ApiToken:
    """End one of the person's own tokens now; revoking twice changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, person=person).first()
        if token is None:
            raise NotFound()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            _audit(token, person, "api_token.revoked", client_address)
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The usable token this secret belongs to, with its person and user; None otherwise."""
    if not raw.startswith(f"{SCHEME}_") or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("person__user", "person__institution", "person__unit")
        .filter(key_hash=hash_of(raw))
        .first()
    )
    if token is None or not token.is_usable():
        return None
    user = token.person.user
    if user is None or not user.is_active or not token.person.is_active:
        return None
    return token


def record_use(token: ApiToken, client_address: str) -> None:
    """When and from where the token was last used, shown to its owner."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=client_address)
    token.last_used_at, token.last_used_from = now, client_address


def tokens_of(person: Person):
    return ApiToken.objects.filter(person=person)


def status_of(token: ApiToken, today: datetime.date | None = None) -> str:
    if token.revoked_at is not None:
        return REVOKED
    return ACTIVE if token.is_usable(today) else EXPIRED


def _audit(token: ApiToken, person: Person, action: str, client_address: str) -> None:
    log.append(
        institution=person.institution,
        actor=log.Actor(person=person, role="staff", client_address=client_address),
        action=action,
        object_type="api_token",
        object_id=token.pk,
        payload={"name": token.name, "prefix": token.prefix, "expires_on": str(token.expires_on)},
    )
