"""Deployment settings: read from the environment, and wrong values stop with one clear line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_config, env_bool, env_optional_int, secret_key

ROOT = Path(__file__).resolve().parent.parent


# database_config


def test_without_database_url_the_default_is_an_sqlite_file_in_wal_mode(tmp_path):
    config = database_config(None, default_sqlite=tmp_path / "x.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "x.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_sqlite_writers_wait_for_each_other_and_take_the_write_lock_at_begin(tmp_path):
    options = database_config(None, default_sqlite=tmp_path / "x.sqlite3")["OPTIONS"]

    assert options["timeout"] > 0
    assert options["transaction_mode"] == "IMMEDIATE"


def test_the_folder_of_the_sqlite_file_is_created(tmp_path):
    database_config(None, default_sqlite=tmp_path / "var" / "x.sqlite3")

    assert (tmp_path / "var").is_dir()


def test_connections_are_kept_for_the_next_request_and_checked_before_reuse(tmp_path):
    config = database_config("postgres://a@db/tdkt", default_sqlite=tmp_path / "x",
                             conn_max_age=60)  # fmt: skip

    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)


def test_the_settings_keep_connections_a_minute_unless_told_otherwise():
    from django.conf import settings

    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 60


def test_a_postgres_url_gives_engine_name_host_port_and_user(tmp_path):
    config = database_config(
        "postgres://alice:secret@db.example.org:5433/tdkt", default_sqlite=tmp_path / "x"
    )

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"], config["USER"]) == (
        "tdkt",
        "db.example.org",
        5433,
        "alice",
    )


def test_postgresql_queries_become_prepared_statements_after_the_threshold(tmp_path):
    options = database_config(
        "postgres://a@db/tdkt", default_sqlite=tmp_path / "x", prepare_threshold=5
    )["OPTIONS"]

    assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 5)


def test_without_a_threshold_postgresql_keeps_client_side_binding(tmp_path):
    options = database_config("postgres://a@db/tdkt", default_sqlite=tmp_path / "x")["OPTIONS"]

    assert "server_side_binding" not in options and "prepare_threshold" not in options


def test_a_threshold_below_one_is_refused_naming_the_setting(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DB_PREPARE_THRESHOLD"):
        database_config("postgres://a@db/tdkt", default_sqlite=tmp_path / "x", prepare_threshold=0)


def test_sqlite_takes_no_prepared_statement_options(tmp_path):
    options = database_config(None, default_sqlite=tmp_path / "x.sqlite3", prepare_threshold=5)[
        "OPTIONS"
    ]

    assert "prepare_threshold" not in options


@pytest.mark.parametrize(("raw", "expected"), [(None, 5), ("", 5), ("2", 2), ("off", None),
                                               ("OFF", None)])  # fmt: skip
def test_the_prepare_threshold_is_read_from_the_environment(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("DB_PREPARE_THRESHOLD", raising=False)
    else:
        monkeypatch.setenv("DB_PREPARE_THRESHOLD", raw)

    assert env_optional_int("DB_PREPARE_THRESHOLD", 5) == expected


@pytest.mark.parametrize("url", ["garbage", "mysql://x", "postgres://host", "sqlite://"])
def test_a_malformed_database_url_is_refused_naming_database_url(tmp_path, url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_config(url, default_sqlite=tmp_path / "x.sqlite3")


# secret_key


def test_the_secret_key_from_the_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-the-file")

    assert secret_key(debug=True, key_file=key_file) == "from-the-environment"


def test_in_debug_without_a_key_one_is_generated_into_the_file(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key_file = tmp_path / "var" / "secret_key"

    key = secret_key(debug=True, key_file=key_file)

    assert len(key) >= 50
    assert key_file.read_text().strip() == key


def test_in_debug_the_generated_key_is_kept_across_starts(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key_file = tmp_path / "secret_key"

    assert secret_key(debug=True, key_file=key_file) == secret_key(debug=True, key_file=key_file)


def test_the_generated_key_file_is_readable_only_by_its_owner(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key_file = tmp_path / "secret_key"

    secret_key(debug=True, key_file=key_file)

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_without_debug_a_missing_secret_key_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        secret_key(debug=False, key_file=tmp_path / "secret_key")
    assert not (tmp_path / "secret_key").exists()


# env_bool


def test_a_boolean_setting_that_is_neither_true_nor_false_is_refused(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")


@pytest.mark.parametrize(("raw", "expected"), [("TRUE", True), (" yes ", True), ("off", False)])
def test_a_boolean_setting_accepts_the_usual_words_in_any_case(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)

    assert env_bool("DEBUG") is expected


# manage.py with a broken environment


def run_manage(tmp_path, *args, **env):
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "MIGRATE_DATABASE_URL", "DEBUG"}
    }
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="false", VAR_DIR=str(tmp_path))
    environ.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_manage_py_without_secret_key_stops_with_one_line_naming_it(tmp_path):
    result = run_manage(tmp_path, "check")

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_manage_py_with_a_malformed_database_url_stops_with_one_line_naming_it(tmp_path):
    result = run_manage(tmp_path, "check", SECRET_KEY="k" * 50, DATABASE_URL="garbage")

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_manage_py_with_an_unreachable_postgres_says_so_in_one_line(tmp_path):
    result = run_manage(
        tmp_path,
        "migrate",
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing",
    )

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Database unreachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_manage_py_in_debug_runs_with_no_configuration_at_all(tmp_path):
    result = run_manage(tmp_path, "check", DEBUG="true")

    assert result.returncode == 0, result.stderr


def test_the_default_sqlite_database_under_var_dir_runs_in_wal_mode(tmp_path):
    result = run_manage(
        tmp_path,
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        DEBUG="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "wal"
    assert (tmp_path / "db.sqlite3").exists()
