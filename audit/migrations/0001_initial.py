"""The audit trail's models move here from the workflow app; their tables stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('workflow', '0006_integrity_check'),
        ('dossiers', '0005_vote_base_label'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditChainHead',
                    fields=[
                        ('institution', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='+', serialize=False, to='dossiers.institution')),
                        ('sequence', models.PositiveBigIntegerField(default=0)),
                        ('hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
                    ],
                    options={
                        'verbose_name': 'audit chain head',
                        'db_table': 'workflow_auditchainhead',
                    },
                ),
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sequence', models.PositiveBigIntegerField(verbose_name='sequence number')),
                        ('created_at', models.DateTimeField(verbose_name='time')),
                        ('actor_name', models.CharField(blank=True, max_length=120, verbose_name='actor')),
                        ('role', models.CharField(blank=True, max_length=30, verbose_name='role')),
                        ('on_behalf_of_name', models.CharField(blank=True, max_length=120, verbose_name='on behalf of')),
                        ('action', models.CharField(max_length=60, verbose_name='action')),
                        ('object_type', models.CharField(max_length=60, verbose_name='object type')),
                        ('object_id', models.CharField(max_length=40, verbose_name='object')),
                        ('from_state', models.CharField(blank=True, max_length=20, verbose_name='from state')),
                        ('to_state', models.CharField(blank=True, max_length=20, verbose_name='to state')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('payload', models.JSONField(default=dict, verbose_name='details')),
                        ('client_address', models.CharField(blank=True, max_length=45, verbose_name='client address')),
                        ('prev_hash', models.CharField(max_length=64)),
                        ('hash', models.CharField(max_length=64, unique=True)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dossiers.person')),
                        ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dossiers.institution')),
                        ('on_behalf_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dossiers.person')),
                    ],
                    options={
                        'verbose_name': 'audit event',
                        'verbose_name_plural': 'audit events',
                        'db_table': 'workflow_auditevent',
                        'ordering': ['institution_id', 'sequence'],
                        'indexes': [models.Index(fields=['object_type', 'object_id', 'sequence'], name='workflow_au_object__2d8d54_idx'), models.Index(fields=['institution', 'action', 'sequence'], name='workflow_au_institu_3bf74a_idx'), models.Index(fields=['institution', 'actor', 'sequence'], name='workflow_au_institu_044974_idx'), models.Index(fields=['institution', 'on_behalf_of', 'sequence'], name='workflow_au_institu_e57798_idx'), models.Index(fields=['institution', 'to_state', 'sequence'], name='workflow_au_institu_7a8f9c_idx'), models.Index(fields=['institution', 'from_state', 'sequence'], name='workflow_au_institu_d151e5_idx'), models.Index(fields=['institution', 'created_at'], name='workflow_au_institu_1fab9c_idx')],
                        'constraints': [models.UniqueConstraint(fields=('institution', 'sequence'), name='audit_sequence_unique'), models.UniqueConstraint(fields=('institution', 'prev_hash'), name='audit_chain_never_forks')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
