"""Reading deployment settings from the environment, failing with one line that says what to set."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: set it to true or false.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r}: use one of {', '.join(choices)}.")
    return value


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_optional_int(name: str, default: int | None) -> int | None:
    """A whole number, or None when set to `off`."""
    raw = os.environ.get(name)
    if raw is not None and raw.strip().lower() == "off":
        return None
    return env_int(name, default)


def database_config(
    url: str | None,
    *,
    default_sqlite: Path,
    conn_max_age: int = 0,
    prepare_threshold: int | None = None,
) -> dict:
    """Parse DATABASE_URL; the default is an SQLite file in WAL mode with a busy timeout.

    `conn_max_age` seconds a connection is kept for the next request (0: one per request), with
    a health check before reuse so a connection the server dropped is replaced, not failed on.

    `prepare_threshold` (PostgreSQL): after that many runs on a connection a query becomes a
    server-side prepared statement, planned once instead of on every run (the door's six-table
    lock: 1.1 ms -> 0.4 ms). That needs server-side parameter binding; None keeps Django's
    default of client-side binding and no prepared statements (for a pooler that cannot keep
    them, such as PgBouncer before 1.21 in transaction mode).
    """
    if not url:
        url = f"sqlite:///{default_sqlite}"
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL={url!r} is not a valid database URL ({exc}); use e.g. "
            "postgres://user@host:5432/name or sqlite:////absolute/path.sqlite3"
        ) from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        name = config.get("NAME") or ""
        if not name or name == ":memory:":
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r} names no SQLite file; use sqlite:////absolute/path.sqlite3"
            )
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL lets readers work while one writer commits; the timeout makes writers wait
            # for each other instead of failing at once, and IMMEDIATE takes the write lock
            # at BEGIN so two transactions never deadlock upgrading a read lock.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    elif engine == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r} names no database; use postgres://user@host:5432/name"
            )
        options = config.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", 5)
        if prepare_threshold is not None:
            if prepare_threshold < 1:
                # psycopg prepares a query at its first run when told 0, before it can see that
                # the query holds several statements (migrations' SQL), which cannot be prepared.
                raise ImproperlyConfigured(
                    f"DB_PREPARE_THRESHOLD={prepare_threshold} must be 1 or more (or empty to "
                    "turn prepared statements off)."
                )
            options["server_side_binding"] = True
            options["prepare_threshold"] = prepare_threshold
    else:
        raise ImproperlyConfigured(
            f"DATABASE_URL={url!r} uses an unsupported engine; use postgres:// or sqlite://"
        )
    return config


def secret_key(*, debug: bool, key_file: Path) -> str:
    """SECRET_KEY from the environment; for local DEBUG use, one generated and kept in var/."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set SECRET_KEY to a long random string (or DEBUG=true locally)."
        )
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


# Django's own test of a weak key (security.W009), and the keys published in this repository.
WEAK_KEY_PREFIXES = ("django-insecure", "test-only-secret-key", "change-me", "changeme")
MIN_KEY_LENGTH, MIN_KEY_CHARACTERS = 50, 5


def strong_secret_key(key: str) -> str:
    """The key, refused when short, made of few characters, or one published somewhere."""
    if (
        len(key) < MIN_KEY_LENGTH
        or len(set(key)) < MIN_KEY_CHARACTERS
        or key.lower().startswith(WEAK_KEY_PREFIXES)
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak for production: use at least {MIN_KEY_LENGTH} random "
            "characters, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(64))'."
        )
    return key


def profile(name: str, *, debug: bool) -> bool:
    """Whether DJANGO_ENV names the production profile; anything else but development is a typo."""
    if name not in ("development", "production"):
        raise ImproperlyConfigured(f"DJANGO_ENV={name!r}: use development or production.")
    if name == "production" and debug:
        raise ImproperlyConfigured("DEBUG must be off with DJANGO_ENV=production.")
    return name == "production"


OWNER_KEYS = ("USER", "PASSWORD", "HOST", "PORT")


def owner_credentials(url: str | None, app: dict) -> dict | None:
    """MIGRATE_DATABASE_URL: who owns the tables, to run migrations as; None when it is the app.

    It must name the application's database (the same engine and name), only as another role.
    """
    if not url:
        return None
    owner = database_config(url, default_sqlite=Path(app.get("NAME") or "db.sqlite3"))
    if (owner["ENGINE"], owner["NAME"]) != (app["ENGINE"], app["NAME"]):
        raise ImproperlyConfigured(
            f"MIGRATE_DATABASE_URL={url!r} must name the same database as DATABASE_URL, "
            "connecting as the role that owns its tables."
        )
    credentials = {key: owner.get(key, "") for key in OWNER_KEYS}
    if all(credentials[key] == app.get(key, "") for key in OWNER_KEYS):
        return None
    return credentials
