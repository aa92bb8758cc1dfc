#!/usr/bin/env bash
# `make serve`: the production profile on this machine. Migrates (as the tables' owner),
# collects the static files, refuses to start when `check --deploy` finds anything, then runs a
# Celery worker with beat in the background and gunicorn in the foreground; stopping gunicorn
# (Ctrl-C, SIGTERM) stops the worker too. The environment configures everything: see
# deploy/thidua.env.example and README "Deploying".
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export DJANGO_ENV=production

missing=()
for name in SECRET_KEY DATABASE_URL ALLOWED_HOSTS SITE_URL CACHE_URL CELERY_BROKER_URL; do
  [[ -n "${!name:-}" ]] || missing+=("$name")
done
if ((${#missing[@]})); then
  echo "make serve needs ${missing[*]} in the environment (deploy/thidua.env.example)." >&2
  exit 1
fi

"$BIN/python" manage.py migrate --no-input
"$BIN/python" manage.py collectstatic --no-input --verbosity 0
"$BIN/python" manage.py check --deploy --fail-level WARNING

"$BIN/celery" -A config worker --beat --loglevel "${LOG_LEVEL:-INFO}" \
  --schedule "${VAR_DIR:-var}/celerybeat-schedule" &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT

"$BIN/gunicorn" config.wsgi:application \
  --bind "${BIND:-127.0.0.1:8000}" \
  --workers "${WEB_WORKERS:-3}" \
  --timeout "${WEB_TIMEOUT:-120}" \
  --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
  --access-logfile - --error-logfile -
