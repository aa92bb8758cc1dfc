from django.db import migrations, models

# The default catalogue's awards decided upward (dossiers.catalogue_defaults) and who decides them.
UPWARD_AWARDS = ["excellent_collective", "provincial_certificate_of_merit",
                 "provincial_emulation_fighter"]  # fmt: skip
PROVINCE_CHAIRMAN = "Chủ tịch Ủy ban nhân dân tỉnh Bắc Ninh"


def name_the_deciding_authority(apps, schema_editor):
    """The default upward awards already installed name who decides them, where nobody has."""
    AwardType = apps.get_model("dossiers", "AwardType")
    AwardType.objects.filter(code__in=UPWARD_AWARDS, decided_by="upward", proposed_to="").update(
        proposed_to=PROVINCE_CHAIRMAN
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0016_legal_texts_as_cited"),
    ]

    operations = [
        migrations.AddField(
            model_name="awardtype",
            name="proposed_to",
            field=models.CharField(
                blank=True,
                help_text=(
                    "For an award decided upward: the authority that decides it, as a proposal "
                    "memo names it (e.g. “Chủ tịch Ủy ban nhân dân tỉnh Bắc Ninh”). Empty: the "
                    "institution's parent body."
                ),
                max_length=200,
                verbose_name="proposed to",
            ),
        ),
        migrations.RunPython(name_the_deciding_authority, migrations.RunPython.noop),
    ]
