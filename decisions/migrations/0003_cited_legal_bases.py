"""Decisions cite legal bases through rows that keep the text as cited and PROTECT the basis.

The automatic many-to-many table cascaded silently when a legal basis was deleted; its rows are
copied into `CitedLegalBasis` (with the basis's current text as the best snapshot available).
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    Decision = apps.get_model("decisions", "Decision")
    Cited = apps.get_model("decisions", "CitedLegalBasis")
    links = Decision.legal_bases.through.objects.select_related("legalbasis")
    Cited.objects.bulk_create(
        Cited(
            decision_id=link.decision_id, legal_basis_id=link.legalbasis_id,
            code=link.legalbasis.code, title=link.legalbasis.title,
            valid_from=link.legalbasis.valid_from, valid_to=link.legalbasis.valid_to,
        )
        for link in links
    )  # fmt: skip


def copy_back(apps, schema_editor):
    Decision = apps.get_model("decisions", "Decision")
    Cited = apps.get_model("decisions", "CitedLegalBasis")
    Through = Decision.legal_bases.through
    Through.objects.bulk_create(
        Through(decision_id=c.decision_id, legalbasis_id=c.legal_basis_id)
        for c in Cited.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0002_proposal_memo"),
        ("dossiers", "0006_documents_superseded_people_deactivated_bases_archived"),
    ]

    operations = [
        migrations.CreateModel(
            name="CitedLegalBasis",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=60, verbose_name="number")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("valid_from", models.DateField(verbose_name="in force from")),
                ("valid_to", models.DateField(blank=True, null=True, verbose_name="in force until")),
                ("decision", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="citations", to="decisions.decision")),
                ("legal_basis", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="dossiers.legalbasis")),
            ],
            options={
                "verbose_name": "legal basis cited",
                "verbose_name_plural": "legal bases cited",
                "ordering": ["decision", "valid_from", "code"],
                "constraints": [
                    models.UniqueConstraint(fields=("decision", "legal_basis"), name="legal_basis_cited_once")
                ],
            },
        ),
        migrations.RunPython(copy_links, copy_back),
        migrations.RemoveField(model_name="decision", name="legal_bases"),
        migrations.AddField(
            model_name="decision",
            name="legal_bases",
            field=models.ManyToManyField(blank=True, related_name="+", through="decisions.CitedLegalBasis", to="dossiers.legalbasis"),
        ),
    ]
