"""The audit trail now belongs to the audit app, the auditor's models to auditing: state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
        ('auditing', '0001_initial'),
        ('workflow', '0006_integrity_check'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='auditchainhead',
                    name='institution',
                ),
                migrations.RemoveField(
                    model_name='auditevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='auditevent',
                    name='institution',
                ),
                migrations.RemoveField(
                    model_name='auditevent',
                    name='on_behalf_of',
                ),
                migrations.RemoveField(
                    model_name='integritycheck',
                    name='institution',
                ),
                migrations.RemoveField(
                    model_name='integritycheck',
                    name='requested_by',
                ),
                migrations.DeleteModel(
                    name='AnomalyRules',
                ),
                migrations.DeleteModel(
                    name='AuditChainHead',
                ),
                migrations.DeleteModel(
                    name='AuditEvent',
                ),
                migrations.DeleteModel(
                    name='IntegrityCheck',
                ),
            ],
            database_operations=[],
        ),
    ]
