"""Settings of the peer: django-fsm-2 with django-fsm-log, sessions, CSRF, PostgreSQL, DEBUG off.

Read from the environment as ours are (DATABASE_URL, SECRET_KEY, DB_CONN_MAX_AGE,
DB_PREPARE_THRESHOLD), and the connection built by the same function, so both run under the same
gunicorn and connection settings (prepared statements included).
"""

import os
from pathlib import Path

from config.env import database_config, env_int, env_optional_int

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django_fsm_log",
    "bench.peer.approvals",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "bench.peer.urls"
WSGI_APPLICATION = "bench.peer.wsgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]

DATABASES = {
    "default": database_config(
        os.environ["DATABASE_URL"],
        default_sqlite=Path("unused.sqlite3"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        prepare_threshold=env_optional_int("DB_PREPARE_THRESHOLD", 5),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/login/"
