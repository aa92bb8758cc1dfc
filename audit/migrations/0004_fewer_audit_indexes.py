"""Two indexes fewer on the audit table, which every audited change writes to.

`hash` was `unique=True`, which on PostgreSQL also builds a LIKE-pattern index no query uses;
its uniqueness becomes a constraint (one index). The institution's own index is dropped: every
other index starts with the institution. Done by hand, not by AlterField: SQLite would rebuild
the table, and the append-only triggers would go with the old one.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "workflow_auditevent"


def drop_redundant_indexes(apps, schema_editor):
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    for name, info in found.items():
        if info["primary_key"] or info["foreign_key"] or info["check"]:
            continue
        if name.startswith(("sqlite_autoindex", "__unnamed_constraint")):
            continue  # SQLite's inline UNIQUE stays with the table; the new index doubles it
        if info["columns"] == ["hash"] or (info["columns"] == ["institution_id"] and not info["unique"]):
            if connection.vendor == "postgresql" and info["unique"]:
                schema_editor.execute(f"ALTER TABLE {quote(TABLE)} DROP CONSTRAINT {quote(name)}")
            else:
                schema_editor.execute(f"DROP INDEX {quote(name)}")
    schema_editor.execute(
        f"CREATE UNIQUE INDEX {quote('audit_hash_unique')} ON {quote(TABLE)} ({quote('hash')})"
    )


def restore_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(f"DROP INDEX {quote('audit_hash_unique')}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {quote(TABLE)} ADD CONSTRAINT {quote(TABLE + '_hash_key')} UNIQUE (hash)"
        )
    schema_editor.execute(
        f"CREATE INDEX {quote(TABLE + '_institution_id_2ab3a591')} ON {quote(TABLE)} (institution_id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_checkpoint"),
        ("dossiers", "0008_title_records_revoked_not_deleted"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_redundant_indexes, restore_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="hash",
                    field=models.CharField(max_length=64),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="institution",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="dossiers.institution",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="auditevent",
                    constraint=models.UniqueConstraint(fields=("hash",), name="audit_hash_unique"),
                ),
            ],
        ),
    ]
