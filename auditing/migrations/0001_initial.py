"""The integrity checks and anomaly thresholds move here from the workflow app; tables unchanged."""

import auditing.models
import datetime
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
                    name='AnomalyRules',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('min_days_submit_to_sign', models.PositiveSmallIntegerField(default=3, verbose_name='minimum days from submission to signing')),
                        ('max_returns', models.PositiveSmallIntegerField(default=2, verbose_name='returns before a hint')),
                        ('workday_start', models.TimeField(default=datetime.time(7, 0), verbose_name='working day starts')),
                        ('workday_end', models.TimeField(default=datetime.time(17, 30), verbose_name='working day ends')),
                        ('weekend_days', models.JSONField(default=auditing.models.saturday_and_sunday, help_text='ISO weekday numbers: 1 is Monday, 7 is Sunday.', verbose_name='days off')),
                        ('institution', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dossiers.institution', verbose_name='institution')),
                    ],
                    options={
                        'verbose_name': 'anomaly rules',
                        'verbose_name_plural': 'anomaly rules',
                        'db_table': 'workflow_anomalyrules',
                        'constraints': [models.CheckConstraint(condition=models.Q(('workday_end__gt', models.F('workday_start'))), name='anomaly_workday_ordered', violation_error_message='The working day must end after it starts.')],
                    },
                ),
                migrations.CreateModel(
                    name='IntegrityCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='requested at')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('state', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='state')),
                        ('events_total', models.PositiveBigIntegerField(default=0, verbose_name='events to check')),
                        ('events_checked', models.PositiveBigIntegerField(default=0, verbose_name='events checked')),
                        ('head_hash', models.CharField(blank=True, max_length=64, verbose_name='head hash')),
                        ('first_broken_sequence', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='first broken event')),
                        ('problem', models.TextField(blank=True, verbose_name='problem')),
                        ('decisions_checked', models.PositiveIntegerField(default=0, verbose_name='decisions compared')),
                        ('decisions_mismatched', models.JSONField(default=list, verbose_name='decisions that disagree')),
                        ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dossiers.institution')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dossiers.person', verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'integrity check',
                        'verbose_name_plural': 'integrity checks',
                        'db_table': 'workflow_integritycheck',
                        'ordering': ['-requested_at', '-id'],
                        'indexes': [models.Index(fields=['institution', '-requested_at'], name='workflow_in_institu_afe352_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
