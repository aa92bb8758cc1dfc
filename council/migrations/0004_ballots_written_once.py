"""The database refuses UPDATE and DELETE of sealed ballots and published receipts.

A sealed ballot is written once by the cast that made it and never touched again, so no later
transaction leaves an old row version of it behind; a published receipt is written once by the
closing. On PostgreSQL and SQLite alike, like the audit table (workflow/migrations/0002).
"""

from django.db import migrations

TABLES = ("council_sealedballot", "council_publishedreceipt")
MESSAGE = "ballots and published receipts are written once"

POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION council_ballot_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION council_ballot_refuse_change();
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION council_ballot_refuse_change();
"""
    for table in TABLES
)
POSTGRES_DROP = "".join(
    f"""
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
DROP TRIGGER IF EXISTS {table}_no_delete ON {table};
"""
    for table in TABLES
) + "DROP FUNCTION IF EXISTS council_ballot_refuse_change();"
SQLITE_CREATE = [
    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    for table in TABLES
    for verb in ("UPDATE", "DELETE")
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_no_{verb};" for table in TABLES for verb in ("update", "delete")
]


def create_triggers(apps, schema_editor):
    _run(schema_editor, POSTGRES_CREATE, SQLITE_CREATE)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, POSTGRES_DROP, SQLITE_DROP)


def _run(schema_editor, postgres_sql, sqlite_statements):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgres_sql)
    elif vendor == "sqlite":
        for statement in sqlite_statements:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"no write-once trigger for {vendor}")


class Migration(migrations.Migration):
    dependencies = [("council", "0003_sealed_ballots_and_recusals")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
