"""The award catalogue: legal texts, document kinds and award types, as editable data."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dossiers.models.tenancy import InstitutionOwned

PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Rating(models.IntegerChoices):
    """Annual rating of task completion (mức độ hoàn thành nhiệm vụ), higher is better."""

    NOT_COMPLETED = 1, _("Did not complete tasks")
    COMPLETED = 2, _("Completed tasks")
    COMPLETED_WELL = 3, _("Completed tasks well")
    COMPLETED_EXCELLENTLY = 4, _("Completed tasks excellently")


class DisciplineLevel(models.IntegerChoices):
    """Disciplinary measures (kỷ luật) in rising order of severity."""

    REPRIMAND = 1, _("Reprimand")
    WARNING = 2, _("Warning")
    SALARY_DEMOTION = 3, _("Salary demotion")
    REMOVAL_FROM_POST = 4, _("Removal from post")
    DISMISSAL = 5, _("Dismissal")


class MovementKind(models.TextChoices):
    """The kinds of emulation movement (phong trào thi đua) an award may come from."""

    ANNUAL = "annual", _("Annual")
    THEMATIC = "thematic", _("Thematic")
    AD_HOC = "ad_hoc", _("Ad hoc (sudden achievement)")


class LegalBasis(models.Model):
    """A legal text the catalogue cites, with the dates it is in force (texts change often)."""

    code = models.CharField(_("number"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    # How a decision's recital names it (Nghị định 30/2020): "Căn cứ Nghị định số 152/2025/NĐ-CP
    # ngày … của Chính phủ quy định chi tiết …;", a law by its name and date alone.
    kind = models.CharField(
        _("kind of text"), max_length=40, blank=True, help_text=_("Luật, Nghị định, Thông tư…")
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(
        _("issued by"), max_length=200, blank=True, help_text=_("e.g. Chính phủ")
    )
    subject = models.CharField(
        _("subject as cited"), max_length=300, blank=True,
        help_text=_("e.g. quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng"),
    )  # fmt: skip
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    is_verified = models.BooleanField(
        _("verified"),
        default=True,
        help_text=_("Unchecked when reported only by secondary sources."),
    )
    archived_at = models.DateTimeField(
        _("archived at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("An archived text is no longer cited by new decisions; it is never deleted."),
    )

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["valid_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="legal_basis_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def in_force_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def recital(self) -> str:
        """The "Căn cứ …;" line in the decree's wording, from the text's data."""
        dated = f" {nd30_date(self.issued_on)}" if self.issued_on else ""
        if self.kind == "Luật" or not self.kind:
            return f"Căn cứ {self.title}{dated};"
        issuer = f" của {self.issuer}" if self.issuer else ""
        subject = f" {self.subject}" if self.subject else ""
        return f"Căn cứ {self.kind} số {self.code}{dated}{issuer}{subject};"


def nd30_date(day) -> str:
    """'ngày 05 tháng 01 năm 2027': a leading zero for days below 10 and for months 1 and 2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


class DocumentKind(models.Model):
    """A kind of document a dossier may carry (proposal memo, achievement report, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)

    class Meta:
        verbose_name = _("document kind")
        verbose_name_plural = _("document kinds")
        ordering = ["code"]

    def __str__(self) -> str:
        return localised(self.name_vi, self.name_en)


def localised(vietnamese: str, english: str) -> str:
    return english if (get_language() or "vi").startswith("en") and english else vietnamese


class AwardType(InstitutionOwned):
    """A title or form of award, with who decides it and the rules it is decided by."""

    class NomineeKind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        COLLECTIVE = "collective", _("Collective")

    class Category(models.TextChoices):
        TITLE = "title", _("Emulation title")
        AWARD = "award", _("Form of award")

    class DecidedBy(models.TextChoices):
        PRINCIPAL = "principal", _("Decided by the principal")
        UPWARD = "upward", _("Proposed to a higher authority")

    class Comparison(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        MORE_THAN = "more_than", _("more than")

    class VoteBase(models.TextChoices):
        TOTAL_MEMBERSHIP = "total_membership", _("the council's total membership")
        MEMBERS_PRESENT = "members_present", _("the members present or giving a written opinion")

    code = models.SlugField(_("code"), max_length=60)
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    nominee_kind = models.CharField(_("nominee"), max_length=20, choices=NomineeKind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    decided_by = models.CharField(_("decided by"), max_length=20, choices=DecidedBy.choices)
    proposed_to = models.CharField(
        _("proposed to"), max_length=200, blank=True,
        help_text=_("For an award decided upward: the authority that decides it, as a proposal "
                    "memo names it (e.g. “Chủ tịch Ủy ban nhân dân tỉnh Bắc Ninh”). Empty: the "
                    "institution's parent body."),
    )  # fmt: skip
    secret_ballot_required = models.BooleanField(_("secret ballot required"), default=True)
    vote_threshold_percent = models.DecimalField(
        _("vote threshold, percent"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )
    vote_threshold_comparison = models.CharField(
        _("threshold comparison"), max_length=20, choices=Comparison.choices
    )
    vote_threshold_base = models.CharField(
        _("threshold base"),
        max_length=20,
        choices=VoteBase.choices,
        default=VoteBase.TOTAL_MEMBERSHIP,
        help_text=_("What the share of agree votes is counted against."),
    )
    quorum_percent = models.DecimalField(
        _("quorum, percent of members present"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(50),
        validators=PERCENT_VALIDATORS,
    )
    quorum_comparison = models.CharField(
        _("quorum comparison"), max_length=20, choices=Comparison.choices, default="more_than"
    )
    public_notice_working_days = models.PositiveSmallIntegerField(
        _("public notice (working days)"),
        default=0,
        help_text=_("0 means no public-notice period before signing."),
    )
    required_document_kinds = models.ManyToManyField(
        DocumentKind, blank=True, related_name="+", verbose_name=_("required documents")
    )
    legal_bases = models.ManyToManyField(
        LegalBasis, blank=True, related_name="award_types", verbose_name=_("legal bases")
    )
    min_rating = models.PositiveSmallIntegerField(
        _("minimum annual rating"), choices=Rating.choices, null=True, blank=True
    )
    disqualifying_discipline = models.PositiveSmallIntegerField(
        _("disqualified from discipline level"),
        choices=DisciplineLevel.choices,
        null=True,
        blank=True,
        help_text=_("A disciplinary measure at this level or above in the period disqualifies."),
    )
    requires_excellence_or_initiative = models.BooleanField(
        _("requires an excellent rating or a recognised initiative"), default=False
    )
    prerequisite_award = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prerequisite title"),
    )
    prerequisite_consecutive_years = models.PositiveSmallIntegerField(
        _("consecutive years of the prerequisite"), default=0
    )
    same_period_award = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("title required in the same period"),
        help_text=_(
            "The nominee must also hold this title in the same period, or be nominated for it "
            "(submitted) in that period: a Grassroots Emulation Fighter is an Advanced Worker."
        ),
    )
    member_award = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("title counted among members"),
        help_text=_("For collectives: the title whose share among members is required."),
    )
    member_award_min_percent = models.DecimalField(
        _("minimum share of members with that title, percent"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    min_months_worked = models.PositiveSmallIntegerField(
        _("minimum months worked in the period"), null=True, blank=True,
        validators=[MaxValueValidator(12)],
        help_text=_("Maternity leave and training count as worked. Empty: no such rule."),
    )  # fmt: skip
    required_initiative_scope = models.CharField(
        _("initiative of at least this scope"), max_length=20, blank=True,
        choices=[("grassroots", _("Grassroots")), ("province", _("Province")),
                 ("national", _("National"))],
        help_text=_("A recognised initiative in the period of this scope or wider is required."),
    )  # fmt: skip
    member_one_award = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("title at least one member holds"),
        help_text=_("For collectives: at least one member holds or is nominated for it."),
    )  # fmt: skip
    members_min_rating = models.PositiveSmallIntegerField(
        _("rating every member needs"), choices=Rating.choices, null=True, blank=True,
        help_text=_("For collectives: every member rated at least this in the period."),
    )  # fmt: skip
    allows_annual = models.BooleanField(_("awarded in annual movements"), default=True)
    allows_thematic = models.BooleanField(_("awarded in thematic movements"), default=False)
    allows_ad_hoc = models.BooleanField(_("awarded ad hoc"), default=False)
    ad_hoc_document_kinds = models.ManyToManyField(
        DocumentKind, blank=True, related_name="+", verbose_name=_("documents required ad hoc"),
        help_text=_("The short path of an ad hoc award: these documents instead of the usual "
                    "ones, no registration, no public notice."),
    )  # fmt: skip
    valid_from = models.DateField(_("rules valid from"))
    valid_to = models.DateField(_("rules valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("award type")
        verbose_name_plural = _("award types")
        ordering = ["nominee_kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="award_code_unique"),
            models.CheckConstraint(
                condition=Q(vote_threshold_percent__gte=0) & Q(vote_threshold_percent__lte=100),
                name="award_threshold_is_percent",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="award_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_vi, self.name_en)

    @property
    def as_given(self) -> str:
        """How a document names what is given: 'danh hiệu “Lao động tiên tiến”' for a title, the
        award's own name ('Giấy khen của Hiệu trưởng') for a form of award."""
        if self.category == self.Category.AWARD:
            return self.name_vi
        return f"danh hiệu “{self.name_vi}”"

    @property
    def public_notice_applies(self) -> bool:
        return self.public_notice_working_days > 0

    def clean(self) -> None:
        if self.member_award_id and self.member_award_min_percent is None:
            raise ValidationError(
                {"member_award_min_percent": _("Give the share required of members.")}
            )
        if self.prerequisite_award_id and not self.prerequisite_consecutive_years:
            raise ValidationError(
                {"prerequisite_consecutive_years": _("Give the number of consecutive years.")}
            )

    def allows(self, kind: str) -> bool:
        """Whether this award may come from a movement of that kind."""
        return {MovementKind.ANNUAL: self.allows_annual, MovementKind.THEMATIC:
                self.allows_thematic, MovementKind.AD_HOC: self.allows_ad_hoc}[kind]  # fmt: skip

    def vote_passes(self, *, agree: int, total_membership: int, present: int) -> bool:
        """Whether `agree` votes reach the threshold, counted against the configured base."""
        base = (
            total_membership
            if self.vote_threshold_base == self.VoteBase.TOTAL_MEMBERSHIP
            else present
        )
        return share_reaches(
            agree, base, self.vote_threshold_percent, self.vote_threshold_comparison
        )

    def quorum_met(self, *, present: int, total_membership: int) -> bool:
        return share_reaches(present, total_membership, self.quorum_percent, self.quorum_comparison)


def share_reaches(count: int, base: int, percent: Decimal, comparison: str) -> bool:
    """Exact comparison of count/base against percent, in integers (no float rounding)."""
    if base <= 0:
        return False
    lhs, rhs = Decimal(count) * 100, Decimal(percent) * base
    return lhs >= rhs if comparison == AwardType.Comparison.AT_LEAST else lhs > rhs
