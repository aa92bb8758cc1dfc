"""Tenancy: every row belongs to exactly one institution, and queries say which."""

from django.db import models


class InstitutionQuerySet(models.QuerySet):
    def of(self, institution):
        """Rows of one institution; every page and service starts here."""
        return self.filter(institution=institution)


class InstitutionOwned(models.Model):
    institution = models.ForeignKey(
        "dossiers.Institution", on_delete=models.PROTECT, related_name="+"
    )

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        abstract = True
