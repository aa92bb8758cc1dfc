"""What eligibility is decided on: annual ratings, discipline, initiatives and title history."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models.catalogue import AwardType, DisciplineLevel, Rating
from dossiers.models.organisation import Period, Person
from dossiers.models.tenancy import InstitutionOwned


class AnnualRating(InstitutionOwned):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="ratings")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)

    class Meta:
        verbose_name = _("annual rating")
        verbose_name_plural = _("annual ratings")
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="one_rating_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.period}: {self.get_rating_display()}"


class DisciplinaryRecord(InstitutionOwned):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="disciplinary_records"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("measure"), choices=DisciplineLevel.choices)
    decided_on = models.DateField(_("decided on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("disciplinary record")
        verbose_name_plural = _("disciplinary records")
        ordering = ["-decided_on"]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_level_display()} ({self.decided_on:%d/%m/%Y})"


class RecognisedInitiative(InstitutionOwned):
    """A recognised initiative (sáng kiến) or accepted research project (đề tài) of a person."""

    class Kind(models.TextChoices):
        INITIATIVE = "initiative", _("Initiative")
        RESEARCH = "research", _("Research project")

    class Scope(models.TextChoices):
        GRASSROOTS = "grassroots", _("Grassroots")
        PROVINCE = "province", _("Province")
        NATIONAL = "national", _("National")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="initiatives")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    title = models.CharField(_("title"), max_length=300)
    recognised_on = models.DateField(_("recognised on"))

    class Meta:
        verbose_name = _("recognised initiative")
        verbose_name_plural = _("recognised initiatives")
        ordering = ["-recognised_on"]

    def __str__(self) -> str:
        return self.title


class TitleRecord(InstitutionOwned):
    """A title or award a person or unit received in a year: granted here, or imported history."""

    class Source(models.TextChoices):
        GRANTED = "granted", _("Granted in this system")
        IMPORTED = "imported", _("Imported history")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="titles"
    )
    unit = models.ForeignKey(
        "dossiers.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="titles"
    )
    award_type = models.ForeignKey(AwardType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    decision_reference = models.CharField(_("decision"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # A revoked title is kept, not deleted: the history shows it was granted and then revoked.
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by_reference = models.CharField(_("revoked by decision"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("title record")
        verbose_name_plural = _("title history")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, unit__isnull=True)
                    | models.Q(person__isnull=True, unit__isnull=False)
                ),
                name="title_record_has_one_holder",
            ),
            # One title in force per holder, award and year; revoked ones stay beside it.
            models.UniqueConstraint(
                fields=["person", "award_type", "year"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_title_per_person_year",
            ),
            models.UniqueConstraint(
                fields=["unit", "award_type", "year"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_title_per_unit_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person or self.unit}: {self.award_type} {self.year}"
