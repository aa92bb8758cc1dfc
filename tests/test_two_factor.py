"""The second factor (an authenticator app's 6-digit code) and logging out everywhere."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin.models import SignInPolicy
from tests.factories import audit_mark, events_after, login

PASSWORD = "pw-for-tests"  # what conftest.make_person gives every account
INBOX = "/tasks/"


def code_of(device: TOTPDevice) -> str:
    """What the person's app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    return f"{(int(code_of(device)) + 1) % 1_000_000:06d}"


def sign_in(person) -> Client:
    client = Client()
    response = client.post(
        "/login/", {"username": person.user.get_username(), "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def app_of(person) -> TOTPDevice:
    return TOTPDevice.objects.create(user=person.user, name="authenticator", confirmed=True)


@pytest.fixture
def required(institution):
    return SignInPolicy.objects.create(institution=institution, two_factor_required=True)


# Required by the institution


def test_a_principal_without_an_app_cannot_reach_the_inbox_when_it_is_required(required, principal):
    response = sign_in(principal).get(INBOX)

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_setup"))


def test_the_setup_page_shows_a_qr_code(required, principal):
    response = sign_in(principal).get(reverse("two_factor_setup"))

    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_entering_the_apps_code_sets_it_up_and_opens_the_inbox(required, principal):
    client = sign_in(principal)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=principal.user)

    response = client.post(reverse("two_factor_setup"), {"code": code_of(device), "next": INBOX})

    assert response.status_code == 302
    assert response.url == INBOX
    assert client.get(INBOX).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_setting_up_an_app_is_audited(required, principal):
    client = sign_in(principal)
    client.get(reverse("two_factor_setup"))
    mark = audit_mark()

    client.post(reverse("two_factor_setup"), {"code": code_of(TOTPDevice.objects.get())})

    assert [e.action for e in events_after(mark)] == ["two_factor.device_added"]


def test_a_wrong_code_at_setup_sets_nothing_up(required, principal):
    client = sign_in(principal)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=principal.user)

    response = client.post(reverse("two_factor_setup"), {"code": wrong_code_for(device)})

    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=principal.user, confirmed=True).exists()
    assert client.get(INBOX).status_code == 302


def test_a_secretary_and_a_reviewer_are_asked_too(required, secretary, reviewer):
    for person in (secretary, reviewer):
        assert sign_in(person).get(INBOX).url.startswith(reverse("two_factor_setup"))


def test_a_unit_head_is_not_asked_for_an_app(required, head_a):
    assert sign_in(head_a).get(INBOX).status_code == 200


def test_nobody_is_asked_when_the_institution_does_not_require_it(principal):
    assert sign_in(principal).get(INBOX).status_code == 200


def test_a_session_signed_in_by_the_test_client_owes_the_second_factor_too(required, principal):
    assert login(principal).get(INBOX).status_code == 302


# With an app: the code after the password


def test_with_an_app_the_code_is_asked_after_the_password(principal):
    app_of(principal)

    response = sign_in(principal).get(INBOX)

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_code"))


def test_a_wrong_code_is_refused_and_audited(principal):
    device = app_of(principal)
    client = sign_in(principal)
    mark = audit_mark()

    response = client.post(reverse("two_factor_code"), {"code": wrong_code_for(device)})

    assert response.status_code == 400
    assert client.get(INBOX).status_code == 302
    assert [e.action for e in events_after(mark)] == ["login.code_refused"]


def test_the_right_code_is_accepted_and_audited(principal):
    device = app_of(principal)
    client = sign_in(principal)
    mark = audit_mark()

    response = client.post(reverse("two_factor_code"), {"code": code_of(device), "next": INBOX})

    assert response.status_code == 302
    assert client.get(INBOX).status_code == 200
    assert [e.action for e in events_after(mark)] == ["login.code_accepted"]


def test_a_code_is_not_accepted_twice(principal):
    device = app_of(principal)
    first, second = sign_in(principal), sign_in(principal)
    code = code_of(device)
    first.post(reverse("two_factor_code"), {"code": code})

    response = second.post(reverse("two_factor_code"), {"code": code})

    assert response.status_code == 400


def test_the_password_alone_cannot_put_another_app_in_place(principal):
    original = app_of(principal)
    client = sign_in(principal)

    response = client.get(reverse("two_factor_setup"))

    assert response.url.startswith(reverse("two_factor_code"))
    assert list(TOTPDevice.objects.filter(user=principal.user)) == [original]


def test_a_code_that_is_not_six_digits_is_refused_with_a_message(principal):
    app_of(principal)
    client = sign_in(principal)

    response = client.post(reverse("two_factor_code"), {"code": "12ab"})

    assert response.status_code == 400
    assert response.context["form"].errors["code"]


# The administrator's side


def admin_client():
    return login(get_user_model().objects.create_superuser("admin", password=PASSWORD))


def test_an_administrator_removing_a_persons_app_is_audited(principal):
    device = app_of(principal)
    mark = audit_mark()

    admin_client().post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )

    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    (event,) = events_after(mark)
    assert event.action == "two_factor.device_removed"
    assert event.role == "administrator"
    assert event.object_id == str(principal.user_id)


def test_after_the_app_is_removed_the_person_sets_up_a_new_one(required, principal):
    device = app_of(principal)
    admin_client().post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )

    assert sign_in(principal).get(INBOX).url.startswith(reverse("two_factor_setup"))


def test_requiring_the_second_factor_is_audited(institution):
    mark = audit_mark()

    admin_client().post(
        reverse("admin:signin_signinpolicy_add"),
        {"institution": institution.pk, "two_factor_required": "on"},
    )

    assert SignInPolicy.objects.get(institution=institution).two_factor_required
    (event,) = events_after(mark)
    assert event.action == "signin.policy_changed"
    assert event.payload["changes"] == {"two_factor_required": [False, True]}


# Log out everywhere


def test_log_out_everywhere_ends_another_session_of_the_same_person(head_a):
    at_work, at_home = sign_in(head_a), sign_in(head_a)

    at_work.post(reverse("log_out_everywhere"))

    response = at_home.get(INBOX)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_log_out_everywhere_ends_this_session_too(head_a):
    client = sign_in(head_a)

    response = client.post(reverse("log_out_everywhere"))

    assert response.url == reverse("login")
    assert client.get(INBOX).status_code == 302


def test_log_out_everywhere_keeps_other_peoples_sessions(head_a, head_b):
    mine, theirs = sign_in(head_a), sign_in(head_b)

    mine.post(reverse("log_out_everywhere"))

    assert theirs.get(INBOX).status_code == 200


def test_log_out_everywhere_is_audited_with_the_number_of_sessions(head_a):
    client = sign_in(head_a)
    sign_in(head_a)
    mark = audit_mark()

    client.post(reverse("log_out_everywhere"))

    (event,) = events_after(mark)
    assert event.action == "login.sessions_ended"
    assert event.actor == head_a
    assert event.payload["sessions"] == 2


def test_the_security_page_offers_log_out_everywhere(head_a):
    response = login(head_a).get(reverse("account_security"))

    assert response.status_code == 200
    assert reverse("log_out_everywhere") in response.content.decode()
