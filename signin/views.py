"""The second factor's pages, and the person's security page with "log out everywhere"."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dossiers.views import client_address
from signin import second_factor, sessions
from signin.forms import CodeForm

SETUP_DEVICE_KEY = "signin_setup_device"


@login_required
def code(request):
    """After the password: the current code of the person's authenticator app."""
    if second_factor.pending(request) != second_factor.CODE:
        return _onward(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and second_factor.check_code(request, form.cleaned_data["code"]):
            return _onward(request)
        if form.is_valid():
            form.add_error("code", _wrong_code_message(request.user))
        status = 400
    return render(
        request, "signin/code.html", {"form": form, "next": _next(request)}, status=status
    )


@login_required
def setup(request):
    """Setting up an authenticator app: scan the QR code, then enter the code it shows.

    Not while the session owes the code of an app already set up: the password alone must not
    be enough to put another app in its place.
    """
    if second_factor.pending(request) == second_factor.CODE:
        return redirect(f"{reverse('two_factor_code')}?{urlencode({'next': _next(request)})}")
    device = second_factor.unconfirmed_device(request.user, request.session.get(SETUP_DEVICE_KEY))
    if request.method == "GET" or device is None:
        device = second_factor.new_device(request.user)
        request.session[SETUP_DEVICE_KEY] = device.pk
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and second_factor.confirm_device(
            request, device, form.cleaned_data["code"]
        ):
            del request.session[SETUP_DEVICE_KEY]
            messages.success(request, _("Your authenticator app is set up."))
            return _onward(request)
        if form.is_valid():
            form.add_error("code", _("That code is not the one the app shows now: try again."))
        status = 400
    context = {
        "form": form,
        "next": _next(request),
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5),
        "secret": _grouped(device),
    }
    return render(request, "signin/setup.html", context, status=status)


@login_required
def security(request):
    """The person's sign-in security: their authenticator app, and logging out everywhere."""
    context = {
        "device": second_factor.device_of(request.user),
        "required": second_factor.is_required_of(request.person),
    }
    return render(request, "signin/security.html", context)


@require_POST
@login_required
def log_out_everywhere(request):
    """Ends every session of the account, this one with it."""
    user = request.user
    sessions.end_every_session(user, client_address=client_address(request))
    logout(request)
    messages.success(request, _("You are logged out on every device."))
    return redirect("login")


def _onward(request):
    target = _next(request)
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target or "/")


def _next(request) -> str:
    return request.POST.get("next") or request.GET.get("next") or ""


def _wrong_code_message(user) -> str:
    wait = second_factor.seconds_to_wait(user)
    if wait:
        return _("Wrong code. Too many wrong codes: wait %(seconds)d seconds.") % {"seconds": wait}
    return _("Wrong code: enter the 6 digits the app shows now.")


def _grouped(device) -> str:
    """The secret in base32, in groups of four, for typing into an app without a camera."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
