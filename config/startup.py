"""Running management commands with configuration problems reported as one line, no traceback."""

from __future__ import annotations

import sys

from django.core.exceptions import ImproperlyConfigured


def run_command_line(argv: list[str]) -> int:
    from django.conf import settings
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings module, raising on bad env
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        if not _is_connection_failure(exc):
            raise
        where = _describe_database(settings.DATABASES["default"])
        first_line = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        )
        print(
            f"Database unreachable ({where}): {first_line}. "
            "Check DATABASE_URL and that the server is running.",
            file=sys.stderr,
        )
        return 2
    return 0


def _is_connection_failure(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(
        marker in text
        for marker in ("connection", "could not connect", "unable to open database", "timeout")
    )


def _describe_database(db: dict) -> str:
    if db.get("ENGINE", "").endswith("sqlite3"):
        return f"SQLite file {db.get('NAME')}"
    host = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return f"PostgreSQL {db.get('USER') or ''}@{host}/{db.get('NAME')}"
