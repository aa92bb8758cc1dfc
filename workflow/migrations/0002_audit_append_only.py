"""The database itself refuses UPDATE and DELETE on the audit trail, on PostgreSQL and SQLite."""

from django.db import migrations

TABLE = "workflow_auditevent"
MESSAGE = "audit events are append-only"

POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION workflow_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workflow_audit_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION workflow_audit_refuse_change();
CREATE TRIGGER workflow_audit_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION workflow_audit_refuse_change();
"""
POSTGRES_DROP = f"""
DROP TRIGGER IF EXISTS workflow_audit_no_update ON {TABLE};
DROP TRIGGER IF EXISTS workflow_audit_no_delete ON {TABLE};
DROP FUNCTION IF EXISTS workflow_audit_refuse_change();
"""
SQLITE_CREATE = [
    f"CREATE TRIGGER workflow_audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER workflow_audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS workflow_audit_no_update;",
    "DROP TRIGGER IF EXISTS workflow_audit_no_delete;",
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
        raise NotImplementedError(f"no append-only trigger for {vendor}")


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
