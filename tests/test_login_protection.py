"""Signing in with a password: the lockout after wrong passwords, the trail of sign-ins, and
the password rules. The second factor is in test_two_factor.py."""

from __future__ import annotations

import datetime
import io
import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from dossiers.demo import DEMO_PASSWORD
from tests.factories import audit_mark, events_after, login
from tests.test_settings import run_manage

PASSWORD = "pw-for-tests"  # what conftest.make_person gives every account
LOCKED = "Tài khoản này tạm bị khóa"  # the start of the lockout message, in Vietnamese


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def wrong_passwords(client, username, times):
    return [sign_in(client, username, f"wrong-{n}").status_code for n in range(times)]


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# The lockout


def test_five_wrong_passwords_are_each_answered_as_a_wrong_password(client, head_a):
    responses = [sign_in(client, "head_a", f"wrong-{n}") for n in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert all(r.context["form"].non_field_errors() for r in responses)
    assert all(LOCKED not in r.content.decode() for r in responses)


def test_after_five_wrong_passwords_the_sixth_is_refused_with_a_message_in_vietnamese(
    client, head_a
):
    wrong_passwords(client, "head_a", 5)

    response = sign_in(client, "head_a", "wrong-again")

    assert response.status_code == 429
    content = response.content.decode()
    assert LOCKED in content
    assert "15 phút" in content
    assert 'name="username"' in content  # the login page, not an error page


def test_a_locked_account_is_refused_even_with_the_right_password(client, head_a):
    wrong_passwords(client, "head_a", 6)

    response = sign_in(client, "head_a", PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not is_signed_in(client)


def test_the_lockout_is_audited_once_in_the_persons_institution(client, head_a):
    mark = audit_mark()

    wrong_passwords(client, "head_a", 6)
    sign_in(client, "head_a", PASSWORD)

    events = list(events_after(mark))
    assert [e.action for e in events] == [
        *["login.failed"] * 5,
        "login.locked_out",
        "login.refused_locked",
        "login.refused_locked",
    ]
    locked = events[5]
    assert locked.institution == head_a.institution
    assert locked.object_id == str(head_a.user_id)
    assert locked.payload["username"] == "head_a"
    assert locked.payload["minutes"] == 15


def test_the_lock_lifts_after_the_cool_off(client, head_a):
    wrong_passwords(client, "head_a", 6)
    sixteen_minutes_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    AccessAttempt.objects.filter(username="head_a").update(attempt_time=sixteen_minutes_ago)

    response = sign_in(client, "head_a", PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_lock_lasts_while_the_cool_off_runs(client, head_a):
    wrong_passwords(client, "head_a", 6)
    ten_minutes_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    AccessAttempt.objects.filter(username="head_a").update(attempt_time=ten_minutes_ago)

    assert sign_in(client, "head_a", PASSWORD).status_code == 429


def test_the_right_password_starts_the_count_again(client, head_a):
    wrong_passwords(client, "head_a", 4)
    sign_in(client, "head_a", PASSWORD)
    client.post(reverse("logout"))
    wrong_passwords(client, "head_a", 4)

    response = sign_in(client, "head_a", PASSWORD)

    assert response.status_code == 302


def test_a_lock_is_per_account_other_accounts_sign_in(client, head_a, head_b):
    wrong_passwords(client, "head_a", 6)

    assert sign_in(client, "head_b", PASSWORD).status_code == 302


def test_an_administrator_unlocks_an_account_with_axes_reset_username(client, head_a):
    wrong_passwords(client, "head_a", 6)

    call_command("axes_reset_username", "head_a", stdout=io.StringIO())

    assert sign_in(client, "head_a", PASSWORD).status_code == 302


def test_an_administrator_unlocks_an_account_in_the_admin(client, head_a):
    wrong_passwords(client, "head_a", 6)
    admin = login(get_user_model().objects.create_superuser("admin", password=PASSWORD))
    (attempt,) = AccessAttempt.objects.filter(username="head_a")

    admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert sign_in(client, "head_a", PASSWORD).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2, LOGIN_FAILURE_LIMIT=2)
def test_the_limit_is_a_setting(client, head_a):
    assert wrong_passwords(client, "head_a", 3) == [200, 200, 429]


def test_the_limit_and_the_cool_off_come_from_the_environment(tmp_path):
    result = run_manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)",
        SECRET_KEY="k" * 50,
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_MINUTES="30",
    )

    assert result.stdout.split() == ["3", "0:30:00"], result.stderr


def test_the_lockout_page_is_in_english_for_who_chose_english(client, head_a):
    client.cookies["django_language"] = "en"
    wrong_passwords(client, "head_a", 5)

    content = sign_in(client, "head_a", PASSWORD).content.decode()

    assert "This account is locked after 5 wrong passwords" in content


def test_the_admins_login_page_is_locked_too(client, db):
    get_user_model().objects.create_superuser("admin", password=PASSWORD)
    for n in range(5):
        client.post("/admin/login/", {"username": "admin", "password": f"wrong-{n}"})

    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})

    assert response.status_code == 429
    assert not is_signed_in(client)


# The trail of sign-ins


def test_a_successful_sign_in_is_audited_with_the_person_as_actor(client, head_a):
    mark = audit_mark()

    sign_in(client, "head_a", PASSWORD)

    (event,) = events_after(mark)
    assert event.action == "login.succeeded"
    assert event.actor == head_a
    assert event.institution == head_a.institution
    assert event.client_address == "127.0.0.1"


def test_a_wrong_password_is_audited_without_blaming_the_person(client, head_a):
    mark = audit_mark()

    sign_in(client, "head_a", "wrong")

    (event,) = events_after(mark)
    assert event.action == "login.failed"
    assert event.actor is None
    assert event.object_type == "user"
    assert event.object_id == str(head_a.user_id)
    assert event.institution == head_a.institution


def test_a_wrong_password_for_an_unknown_username_goes_to_the_log_not_the_trail(
    client, institution, caplog
):
    before = AuditEvent.objects.count()

    with caplog.at_level(logging.WARNING, logger="signin"):
        sign_in(client, "nobody-here", "wrong")

    assert AuditEvent.objects.count() == before
    assert any("login.failed" in r.getMessage() and "nobody-here" in r.getMessage()
               for r in caplog.records)  # fmt: skip


def test_a_sign_in_without_a_password_is_not_audited(head_a):
    """Test clients and scripts log in with force_login; only the login page is a sign-in."""
    mark = audit_mark()

    client = login(head_a)

    assert client.get("/").status_code == 200
    assert list(events_after(mark)) == []


# Password rules


def test_a_password_shorter_than_ten_characters_is_refused(db):
    with pytest.raises(ValidationError):
        validate_password("Xk3#pq9Lm")


def test_a_ten_character_password_is_accepted(db):
    validate_password("Xk3#pq9Lmz")


@override_settings(DEBUG=False)
def test_the_demo_password_is_refused_in_production(db):
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password(DEMO_PASSWORD)

    assert "mật khẩu công khai" in " ".join(refused.value.messages)


@override_settings(DEBUG=True)
def test_the_demo_password_is_accepted_with_debug_on(db):
    validate_password(DEMO_PASSWORD)


@override_settings(DEBUG=False)
def test_the_admin_refuses_to_set_the_demo_password(db):
    admin_user = get_user_model().objects.create_superuser("admin", password=PASSWORD)
    target = get_user_model().objects.create_user("staff", password=PASSWORD)
    url = reverse("admin:auth_user_password_change", args=[target.pk])

    response = login(admin_user).post(
        url, {"password1": DEMO_PASSWORD, "password2": DEMO_PASSWORD, "usable_password": "true"}
    )

    assert response.status_code == 200  # the form again, with the reason
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
