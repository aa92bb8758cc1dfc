"""The production profile (DJANGO_ENV=production) and the security every profile has."""

from __future__ import annotations

import datetime
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.checks import the_trail_is_protected_by_its_triggers
from audit.models import AuditEvent
from dossiers.demo_certificate import create_demo_certificate
from dossiers.sessions import LAST_SEEN
from tests.factories import login

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = secrets.token_urlsafe(64)


@pytest.fixture(scope="module")
def system_key(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("key") / "system.p12"
    create_demo_certificate(path, passphrase="mat-khau-he-thong", common_name="Hệ thống")
    return path


def manage(tmp_path, *args, **env):
    """manage.py in a clean environment: only what an operator would set."""
    environ = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO", "SECRET", "DATABASE", "DEBUG", "SITE", "SIGNING",
                               "ALLOWED", "SECURE", "MIGRATE"))
    }  # fmt: skip
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path), **env)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


def production(system_key, **overrides) -> dict:
    return {
        "DJANGO_ENV": "production", "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "thidua.example.edu.vn", "SITE_URL": "https://thidua.example.edu.vn",
        "SIGNING_PKCS12_PATH": str(system_key), "SIGNING_PKCS12_PASSPHRASE": "mat-khau-he-thong",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
        **overrides,
    }  # fmt: skip


def test_check_deploy_finds_nothing_under_the_production_profile(tmp_path, system_key):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                    **production(system_key))  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_the_profile_check_deploy_warns_about_https(tmp_path, system_key):
    result = manage(tmp_path, "check", "--deploy", DEBUG="false", SECRET_KEY=STRONG_KEY)

    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W008" in result.stderr  # no SSL redirect


@pytest.mark.parametrize(
    "key",
    [
        "k",
        "k" * 50,
        "django-insecure-" + "x1y2z3" * 10,
        "test-only-secret-key-not-for-production-use-0123456789",
    ],
)
def test_the_production_profile_refuses_a_weak_secret_key(tmp_path, system_key, key):
    result = manage(tmp_path, "check", **production(system_key, SECRET_KEY=key))

    assert result.returncode == 2
    assert "SECRET_KEY is too weak" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_production_profile_refuses_debug(tmp_path, system_key):
    result = manage(tmp_path, "check", **production(system_key, DEBUG="true"))

    assert result.returncode == 2
    assert "DEBUG must be off" in result.stderr


def test_a_mistyped_profile_is_refused(tmp_path):
    result = manage(tmp_path, "check", DEBUG="true", DJANGO_ENV="prodution")

    assert result.returncode == 2
    assert "DJANGO_ENV" in result.stderr


def test_check_deploy_warns_when_site_url_is_not_https(tmp_path, system_key):
    result = manage(tmp_path, "check", "--deploy",
                    **production(system_key, SITE_URL="http://127.0.0.1:8000"))  # fmt: skip

    assert "decisions.W001" in result.stderr


def test_check_deploy_warns_when_the_system_key_cannot_be_opened(tmp_path, system_key):
    result = manage(tmp_path, "check", "--deploy",
                    **production(system_key, SIGNING_PKCS12_PASSPHRASE="sai"))  # fmt: skip

    assert "decisions.W002" in result.stderr
    assert "wrong passphrase" in result.stderr


# --- The trail's triggers -----------------------------------------------------------------------


def test_the_trigger_check_passes_on_the_migrated_database(db):
    assert the_trail_is_protected_by_its_triggers(databases=["default"]) == []


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="on PostgreSQL the application's role cannot drop them"
)
def test_the_trigger_check_names_a_dropped_trigger(db):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER workflow_audit_no_update")

    messages = the_trail_is_protected_by_its_triggers(databases=["default"])

    assert [m.id for m in messages] == ["audit.E002"]
    assert "workflow_audit_no_update" in messages[0].msg


# --- Headers in every profile -------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_without_inline_script_or_style(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]

    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_a_signed_in_page_is_not_kept_by_browsers_or_proxies(head_a):
    response = login(head_a).get(reverse("dossier_list"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_public_verification_page_may_be_cached(client, db):
    response = client.get(reverse("verify_decision"))

    assert "no-store" not in response.get("Cache-Control", "")


# --- Sessions that end when idle ----------------------------------------------------------------


def idle_for(client, minutes: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - minutes * 60
    session.save()


def test_a_session_idle_longer_than_the_limit_asks_to_sign_in_again(head_a, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = login(head_a)
    client.get(reverse("dossier_list"))
    idle_for(client, 31)

    response = client.get(reverse("dossier_list"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_session_used_within_the_limit_stays_signed_in(head_a, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = login(head_a)
    client.get(reverse("dossier_list"))
    idle_for(client, 29)

    assert client.get(reverse("dossier_list")).status_code == 200


# --- The client's address behind a proxy --------------------------------------------------------


def make_a_token(client, **headers):
    """An audited step any signed-in person can take: a personal API token."""
    expires = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(reverse("api_tokens"), {"name": "script", "expires_on": expires},
                           **headers)  # fmt: skip
    assert response.status_code == 200
    return AuditEvent.objects.get(action="api_token.created")


def test_without_proxies_configured_a_forwarded_address_is_ignored(head_a, settings):
    settings.NUM_PROXIES = 0

    event = make_a_token(login(head_a), HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert event.client_address == "127.0.0.1"


def test_behind_one_proxy_the_trail_records_the_address_it_forwarded(head_a, settings):
    settings.NUM_PROXIES = 1

    event = make_a_token(login(head_a), HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")

    assert event.client_address == "203.0.113.9"


# --- No inline script or style in the pages -----------------------------------------------------

TEMPLATES = ROOT / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"", re.I)


def page_templates():
    """Templates of pages a browser shows; documents rendered to PDF (WeasyPrint, "@page") are
    not served as HTML and keep their styles inline."""
    for path in sorted(TEMPLATES.rglob("*.*")):
        if path.suffix in {".html", ".svg"} and "@page" not in path.read_text(encoding="utf-8"):
            yield path


@pytest.mark.parametrize("path", list(page_templates()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_template_has_inline_script_style_or_event_handler(path):
    found = INLINE.findall(path.read_text(encoding="utf-8"))

    assert not found, f"the Content-Security-Policy would block {found}"


def test_the_trigger_check_lets_a_new_database_be_migrated(tmp_path):
    result = manage(tmp_path, "migrate", "-v0", DEBUG="true",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite3'}")  # fmt: skip

    assert result.returncode == 0, result.stderr


# --- Django's own error pages -------------------------------------------------------------------


@pytest.mark.parametrize("code", [400, 403, 404, 500])
def test_the_error_pages_are_the_products_not_viewflows(code):
    from django.template.loader import get_template

    template = get_template(f"{code}.html")

    assert Path(template.origin.name).is_relative_to(TEMPLATES)


def test_an_unknown_address_answers_404_in_vietnamese(client, db, settings):
    settings.DEBUG = False

    response = client.get("/khong-co-trang-nay/", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 404
    assert "Không tìm thấy" in response.content.decode()
