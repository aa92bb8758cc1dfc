"""The database refuses to truncate the trail, to delete its chain head or to move it anywhere
but forward to the newest event, and (SQLite) to replace an event by INSERT OR REPLACE.

The row-level UPDATE and DELETE triggers of the events came with workflow 0002; these complete
them. SQLite fires DELETE triggers for the rows a REPLACE removes only with
`PRAGMA recursive_triggers=ON`, which audit.apps sets on every connection.
"""

from django.db import migrations

EVENTS = "workflow_auditevent"
HEAD = "workflow_auditchainhead"
GENESIS = "0" * 64
TRUNCATE_REFUSED = "the audit trail cannot be truncated"
HEAD_NOT_DELETED = "the audit chain head cannot be deleted"
HEAD_FORWARD_ONLY = "the audit chain head moves only forward, to the newest event"
HEAD_STARTS_AT_GENESIS = "a new audit chain head starts at sequence 0 and the genesis hash"
NO_REPLACE = "audit events are append-only: an event cannot be replaced"

# The head may name only the newest event of its institution, and only a later one.
HEAD_MOVES_BADLY = f"""
    NEW.institution_id <> OLD.institution_id
    OR NEW.sequence <= OLD.sequence
    OR NOT EXISTS (SELECT 1 FROM {EVENTS} e WHERE e.institution_id = NEW.institution_id
                   AND e.sequence = NEW.sequence AND e.hash = NEW.hash)
    OR EXISTS (SELECT 1 FROM {EVENTS} e WHERE e.institution_id = NEW.institution_id
               AND e.sequence > NEW.sequence)
"""

POSTGRES_CREATE = f"""
CREATE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = '{TRUNCATE_REFUSED} (' || TG_TABLE_NAME || ')',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {EVENTS}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON {HEAD}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();

CREATE FUNCTION audit_head_refuse_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{HEAD_NOT_DELETED}' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON {HEAD}
    FOR EACH ROW EXECUTE FUNCTION audit_head_refuse_delete();

CREATE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF {HEAD_MOVES_BADLY} THEN
        RAISE EXCEPTION '{HEAD_FORWARD_ONLY}' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON {HEAD}
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();

CREATE FUNCTION audit_head_starts_at_genesis() RETURNS trigger AS $$
BEGIN
    IF NEW.sequence <> 0 OR NEW.hash <> '{GENESIS}' THEN
        RAISE EXCEPTION '{HEAD_STARTS_AT_GENESIS}' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_starts_at_genesis BEFORE INSERT ON {HEAD}
    FOR EACH ROW EXECUTE FUNCTION audit_head_starts_at_genesis();
"""
POSTGRES_DROP = f"""
DROP TRIGGER IF EXISTS audit_head_starts_at_genesis ON {HEAD};
DROP TRIGGER IF EXISTS audit_head_forward_only ON {HEAD};
DROP TRIGGER IF EXISTS audit_head_no_delete ON {HEAD};
DROP TRIGGER IF EXISTS audit_head_no_truncate ON {HEAD};
DROP TRIGGER IF EXISTS audit_event_no_truncate ON {EVENTS};
DROP FUNCTION IF EXISTS audit_head_starts_at_genesis();
DROP FUNCTION IF EXISTS audit_head_forward_only();
DROP FUNCTION IF EXISTS audit_head_refuse_delete();
DROP FUNCTION IF EXISTS audit_refuse_truncate();
"""

# SQLite has no TRUNCATE: `DELETE FROM t` is refused by the DELETE triggers (a table with
# triggers never takes the truncate shortcut).
SQLITE_CREATE = [
    f"CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON {EVENTS} "
    f"WHEN EXISTS (SELECT 1 FROM {EVENTS} e WHERE e.id = NEW.id "
    f"OR (e.institution_id = NEW.institution_id AND e.sequence = NEW.sequence)) "
    f"BEGIN SELECT RAISE(ABORT, '{NO_REPLACE}'); END;",
    f"CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON {HEAD} "
    f"BEGIN SELECT RAISE(ABORT, '{HEAD_NOT_DELETED}'); END;",
    f"CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON {HEAD} "
    f"WHEN {HEAD_MOVES_BADLY} BEGIN SELECT RAISE(ABORT, '{HEAD_FORWARD_ONLY}'); END;",
    f"CREATE TRIGGER audit_head_starts_at_genesis BEFORE INSERT ON {HEAD} "
    f"WHEN NEW.sequence <> 0 OR NEW.hash <> '{GENESIS}' "
    f"BEGIN SELECT RAISE(ABORT, '{HEAD_STARTS_AT_GENESIS}'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_head_starts_at_genesis;",
    "DROP TRIGGER IF EXISTS audit_head_forward_only;",
    "DROP TRIGGER IF EXISTS audit_head_no_delete;",
    "DROP TRIGGER IF EXISTS audit_event_no_replace;",
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
        raise NotImplementedError(f"no audit trigger for {vendor}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("workflow", "0002_audit_append_only")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
