"""The organisation: institutions (tenants), their units, people and the roles they hold."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.choices import Role
from dossiers.models.tenancy import InstitutionOwned


class Institution(models.Model):
    """A school or college; one deployment may host every school of a province."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("abbreviation"), max_length=40, help_text=_("e.g. CĐNGT"))
    parent_body = models.CharField(
        _("parent body"), max_length=200, help_text=_("e.g. UBND TỈNH BẮC NINH")
    )
    place = models.CharField(_("place name on documents"), max_length=100)
    head_title = models.CharField(_("title of the head"), max_length=100, default="Hiệu trưởng")
    deputy_title = models.CharField(
        _("title of a deputy head"), max_length=100, default="Phó Hiệu trưởng"
    )
    decision_series = models.CharField(
        _("decision number series"), max_length=40, help_text=_("e.g. QĐ-CĐNGT")
    )
    authority_recital = models.TextField(
        _("recital of the institution's authority"), max_length=600, blank=True,
        help_text=_("The first “Căn cứ …;” of its decisions: the text defining its functions, "
                    "e.g. “Căn cứ Quyết định số …/QĐ-UBND ngày … của Ủy ban nhân dân tỉnh … quy "
                    "định chức năng, nhiệm vụ … của Trường …;”."),
    )  # fmt: skip
    executing_clause = models.TextField(
        _("who executes a decision (its Điều 3)"), max_length=1000,
        default="Trưởng phòng Tổ chức - Hành chính, thủ trưởng các đơn vị có liên quan và các "
                "cá nhân, tập thể có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
    )  # fmt: skip
    recipients = models.TextField(
        _("recipients of a decision (Nơi nhận)"), max_length=1000,
        default="Như Điều 3;\nHội đồng TĐKT;", help_text=_("One recipient per line."),
    )  # fmt: skip
    archive_units = models.CharField(
        _("where the original is filed"), max_length=120, default="VT, TCHC",
        help_text=_("Printed as the last recipient: “Lưu: VT, TCHC.”"),
    )  # fmt: skip
    annex_threshold = models.PositiveSmallIntegerField(
        _("awardees listed in the decision itself, at most"), default=10,
        help_text=_("A longer list goes to an annex “(có danh sách kèm theo)”."),
    )  # fmt: skip
    issuer_lines = models.TextField(
        _("name in the documents' header"), max_length=300, blank=True,
        help_text=_("One line per line, as the header prints it (e.g. “TRƯỜNG CAO ĐẲNG” then "
                    "“NGÔ GIA TỰ”), so a proper name never breaks. Empty: the name in capitals."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def recipient_lines(self) -> list[str]:
        """The decision's recipients, each as printed ("- Như Điều 3;"), then where it is filed."""
        lines = [line.strip() for line in self.recipients.splitlines() if line.strip()]
        return [*lines, f"Lưu: {self.archive_units}."]

    @property
    def issuer_name_lines(self) -> list[str]:
        """The header's lines of the issuer's name: where the institution breaks it, or whole."""
        lines = [line.strip().upper() for line in self.issuer_lines.splitlines() if line.strip()]
        return lines or [self.name.upper()]


class Unit(InstitutionOwned):
    """A faculty, office, centre or mass organisation that nominates its people."""

    class Kind(models.TextChoices):
        FACULTY = "faculty", _("Faculty")
        OFFICE = "office", _("Office")
        CENTRE = "centre", _("Centre")
        UNION = "union", _("Mass organisation")
        BOARD = "board", _("Board of directors")

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="unit_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(InstitutionOwned):
    """A member of staff; may log in when linked to a user account."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("user account"),
    )
    full_name = models.CharField(_("full name"), max_length=120)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="members", verbose_name=_("unit")
    )
    position = models.CharField(_("position"), max_length=120, blank=True)
    holds_leadership_post = models.BooleanField(
        _("holds a leadership post"),
        default=False,
        help_text=_("Used for the statistics of awards to leaders versus frontline staff."),
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    employed_since = models.DateField(
        _("working here since"), null=True, blank=True,
        help_text=_("For the months worked in a period; empty: the rule cannot tell."),
    )  # fmt: skip
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="vi"
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("A person who has left is deactivated, never deleted: their history stays."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]
        indexes = [models.Index(fields=["institution", "unit"])]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        if self.unit_id and self.institution_id and self.unit.institution_id != self.institution_id:
            raise ValidationError({"unit": _("The unit belongs to another institution.")})

    def active_roles(self, on: datetime.date | None = None):
        return RoleAssignment.objects.active(on).filter(person=self)

    def has_role(self, role: str, *, unit: Unit | None = None, on=None) -> bool:
        """Whether the person holds the role on that day (for a unit-scoped role: of that unit)."""
        roles = self.active_roles(on).filter(role=role)
        if role in Role.UNIT_SCOPED:
            if unit is None:
                return False
            roles = roles.filter(unit=unit)
        return roles.exists()


class RoleAssignmentQuerySet(models.QuerySet):
    def of(self, institution):
        return self.filter(institution=institution)

    def active(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))


class RoleAssignment(InstitutionOwned):
    """A role held by a person for a time, scoped to a unit where the role requires it."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("unit"),
        help_text=_("Required for a unit head; empty for institution-wide roles."),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["person__full_name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="unit_head", unit__isnull=False) | ~Q(role="unit_head")),
                name="unit_head_has_unit",
            ),
            models.CheckConstraint(
                condition=Q(role="unit_head") | Q(unit__isnull=True),
                name="only_unit_roles_have_unit",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="role_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["institution", "role"])]

    def __str__(self) -> str:
        scope = f" — {self.unit}" if self.unit_id else ""
        return f"{self.person}: {self.get_role_display()}{scope}"

    def clean(self) -> None:
        errors = {}
        if self.role in Role.UNIT_SCOPED and not self.unit_id:
            errors["unit"] = _("A unit head must be assigned to a unit.")
        if self.role not in Role.UNIT_SCOPED and self.unit_id:
            errors["unit"] = _("This role applies to the whole institution; leave the unit empty.")
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end date is before the start date.")
        if (
            self.person_id
            and self.institution_id
            and self.person.institution_id != self.institution_id
        ):
            errors["person"] = _("The person belongs to another institution.")
        if self.unit_id and self.institution_id and self.unit.institution_id != self.institution_id:
            errors["unit"] = _("The unit belongs to another institution.")
        if errors:
            raise ValidationError(errors)


class Period(InstitutionOwned):
    """An emulation period (school year or calendar year) with the deadlines of each stage."""

    class Kind(models.TextChoices):
        SCHOOL_YEAR = "school_year", _("School year")
        CALENDAR_YEAR = "calendar_year", _("Calendar year")

    name = models.CharField(_("name"), max_length=80, help_text=_("e.g. Năm học 2025–2026"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_current = models.BooleanField(_("current period"), default=False)
    submit_by = models.DateField(_("units submit by"), null=True, blank=True)
    review_by = models.DateField(_("review by"), null=True, blank=True)
    council_by = models.DateField(_("council meets by"), null=True, blank=True)
    sign_by = models.DateField(_("signing by"), null=True, blank=True)

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="period_name_unique"),
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(is_current=True),
                name="one_current_period_per_institution",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="period_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def year(self) -> int:
        """The year a title of this period is counted in (the year the period ends)."""
        return self.ends_on.year

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("The period must end after it starts.")})


class DelegationQuerySet(models.QuerySet):
    def of(self, institution):
        return self.filter(institution=institution)

    def active(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on, ends_on__gte=on, revoked_at__isnull=True)


class Delegation(InstitutionOwned):
    """A person lends one of their roles to another for a date range (ủy quyền).

    While it lasts the delegate sees and acts on that role's work; every action records both
    the delegate (actor) and the delegator (on whose behalf).
    """

    delegator = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="delegations_given",
        verbose_name=_("delegating person"),
    )  # fmt: skip
    delegate = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="delegations_received",
        verbose_name=_("delegate"),
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("ended early at"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_dates_ordered",
                violation_error_message=_("The end date is before the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")), name="delegation_to_someone_else",
                violation_error_message=_("A person cannot delegate to themselves."),
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["delegate", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate}: {self.get_role_display()}"
