"""The second factor: a TOTP authenticator app (django-otp), asked for after the password.

What a session still owes is decided when it signs in and kept in the session, so that a page
costs no query for it: `setup` (its institution requires a second factor of the person's role
and they have no app yet), `code` (they have an app: its current code), or nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import log
from dossiers.models import Person
from dossiers.views import client_address
from signin import trail
from signin.models import SignInPolicy
from workflow.permissions import actings

SESSION_KEY = "signin_second_factor"
SETUP, CODE, PASSED, NOT_NEEDED = "setup", "code", "passed", "not_needed"
DEVICE_NAME = "authenticator"


def device_of(user) -> TOTPDevice | None:
    """The account's authenticator app, once set up (confirmed)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_required_of(person: Person | None) -> bool:
    """Whether the person's institution requires a second factor of a role they act in."""
    if person is None or not person.institution_id:
        return False
    if not SignInPolicy.objects.filter(
        institution_id=person.institution_id, two_factor_required=True
    ).exists():
        return False
    roles = set(settings.TWO_FACTOR_ROLES)
    return any(acting.role in roles for acting in actings(person))


def owed(user) -> str:
    if device_of(user) is not None:
        return CODE
    return SETUP if is_required_of(trail.person_of_user(user)) else NOT_NEEDED


def start(request, user) -> None:
    """On signing in: what this session owes before it reaches any page."""
    request.session[SESSION_KEY] = owed(user)


def pending(request) -> str | None:
    """SETUP or CODE while the signed-in session owes it; None once nothing is owed.

    A session from before the second factor existed is decided on its first request.
    """
    state = request.session.get(SESSION_KEY)
    if state is None:
        state = owed(request.user)
        request.session[SESSION_KEY] = state
    return state if state in (SETUP, CODE) else None


def new_device(user) -> TOTPDevice:
    """The app being set up: a fresh secret, unconfirmed until its first code is entered."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def unconfirmed_device(user, device_id) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()


def confirm_device(request, device: TOTPDevice, token: str) -> bool:
    """The first code from the app proves it holds the secret: the device is set up, audited."""
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
        _record(request, "two_factor.device_added", device_id=device.pk)
    request.session[SESSION_KEY] = PASSED
    return True


def check_code(request, token: str) -> bool:
    """The code after the password: accepted (the session passes) or refused, both audited."""
    device = device_of(request.user)
    if device is None:
        return False
    accepted = device.verify_token(token)
    _record(request, "login.code_accepted" if accepted else "login.code_refused")
    if accepted:
        request.session[SESSION_KEY] = PASSED
    return accepted


def seconds_to_wait(user) -> int:
    """After wrong codes django-otp makes the app wait, doubling: how long is left (0: none)."""
    device = device_of(user)
    if device is None:
        return 0
    allowed, details = device.verify_is_allowed()
    if allowed or not details or not details.get("locked_until"):
        return 0
    return max(1, int((details["locked_until"] - timezone.now()).total_seconds()) + 1)


def remove_device(device: TOTPDevice, *, actor: log.Actor) -> None:
    """An administrator's recovery for a lost phone; the person sets up a new app next time."""
    with transaction.atomic():
        user = device.user
        device_id = device.pk
        confirmed = device.confirmed
        device.delete()
        if confirmed:
            trail.record(
                trail.person_of_user(user),
                "two_factor.device_removed",
                username=user.get_username(),
                actor=actor,
                device_id=device_id,
            )


def _record(request, action: str, **payload) -> None:
    trail.record(
        getattr(request, "person", None) or trail.person_of_user(request.user),
        action,
        username=request.user.get_username(),
        client_address=client_address(request),
        **payload,
    )


def save_policy(policy: SignInPolicy, *, actor: log.Actor) -> SignInPolicy:
    """An administrator requires (or stops requiring) a second factor: audited.

    It applies from each person's next sign-in.
    """
    with transaction.atomic():
        before = (
            SignInPolicy.objects.select_for_update().filter(pk=policy.pk).first()
            if policy.pk
            else None
        )
        was = before.two_factor_required if before else False
        policy.save()
        if was != policy.two_factor_required:
            log.append(
                institution=policy.institution,
                actor=actor,
                action="signin.policy_changed",
                object_type="sign_in_policy",
                object_id=policy.pk,
                payload={"changes": {"two_factor_required": [was, policy.two_factor_required]}},
            )
    return policy
