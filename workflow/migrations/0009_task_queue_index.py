from django.db import migrations

# viewflow's task table is not ours to model, so its index for the inbox is plain SQL (the same
# statement on SQLite and PostgreSQL): the shared queue is found by the step permission a task
# needs and its status, and counted by step, without reading every open task.
INDEX = "workflow_task_queue_idx"


class Migration(migrations.Migration):

    dependencies = [
        ("viewflow", "0015_task_scheduled"),
        ("workflow", "0008_separation_rules"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON viewflow_task (owner_permission, status, flow_task)",
            f"DROP INDEX {INDEX}",
        ),
    ]
