"""On PostgreSQL the hot queries are prepared statements: planned once per connection, not on
every request (config.env.database_config, DB_PREPARE_THRESHOLD)."""

import pytest
from django.conf import settings
from django.db import connection

from dossiers.models import State
from tests.factories import Cast, dossier_in, login

pytestmark = pytest.mark.postgres


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_the_doors_lock_is_a_prepared_statement_once_approvals_pass_the_threshold(period, unit_a):
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    dossiers = [dossier_in(State.SUBMITTED, period, unit_a) for _ in range(threshold + 1)]
    browser = login(Cast(unit_a.institution).reviewer)

    for dossier in dossiers:
        response = browser.post(
            f"/dossiers/{dossier.pk}/act/approve/", {"version": dossier.version}
        )
        assert response.status_code == 302

    locks = [sql for sql in _prepared() if 'FROM "dossiers_dossier"' in sql and "FOR UPDATE" in sql]
    assert locks and all("$1" in sql for sql in locks)
