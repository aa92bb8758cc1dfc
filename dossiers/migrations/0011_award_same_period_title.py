"""A Grassroots Emulation Fighter must be an Advanced Worker in the same period (Law 06/2022/QH15
art. 23): the award type says which title it needs in the same period, and the catalogues
installed before this rule get the law's default (an institution that edits it keeps its edit).
"""

import django.db.models.deletion
from django.db import migrations, models


def law_default(apps, schema_editor):
    AwardType = apps.get_model("dossiers", "AwardType")
    for fighter in AwardType.objects.filter(
        code="grassroots_emulation_fighter", same_period_award__isnull=True
    ):
        worker = AwardType.objects.filter(
            institution_id=fighter.institution_id, code="advanced_worker"
        ).first()
        if worker is not None:
            fighter.same_period_award = worker
            fighter.save(update_fields=["same_period_award"])


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0010_working_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="awardtype",
            name="same_period_award",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "The nominee must also hold this title in the same period, or be nominated "
                    "for it (submitted) in that period: a Grassroots Emulation Fighter is an "
                    "Advanced Worker."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="dossiers.awardtype",
                verbose_name="title required in the same period",
            ),
        ),
        migrations.RunPython(law_default, migrations.RunPython.noop),
    ]
