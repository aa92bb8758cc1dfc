"""The unit's evaluation meeting (họp bình xét): who attended and how each nominee was judged.

The unit meets before it submits: its members present vote on (or agree by show of hands to)
each of its nominees for the period. The minutes of that meeting are a required document of the
dossier; evaluation.services renders and attaches them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dossiers.models import Document, Dossier, Period, Person, Unit
from dossiers.models.tenancy import InstitutionOwned


class UnitMeeting(InstitutionOwned):
    """One evaluation meeting of a unit for a period, as its minutes record it."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="evaluation_meetings", verbose_name=_("unit")
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    held_on = models.DateTimeField(_("held on"))
    ended_at = models.TimeField(_("ended at"))
    place = models.CharField(_("place"), max_length=200)
    chair = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("chair")
    )
    secretary = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("secretary")
    )
    # The unit's size on the day and how many came: the minutes print "có mặt 12/14".
    membership_total = models.PositiveIntegerField(_("members of the unit"))
    present_count = models.PositiveIntegerField(_("members present"))
    content = models.TextField(_("content of the meeting"), max_length=20000, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    recorded_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("unit evaluation meeting")
        verbose_name_plural = _("unit evaluation meetings")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(present_count__gte=1, present_count__lte=models.F("membership_total")),
                name="unit_meeting_present_within_membership",
                violation_error_message=_(
                    "The members present must be at least one and no more than the unit's members."
                ),
            ),
        ]
        indexes = [models.Index(fields=["institution", "unit", "period"])]

    def __str__(self) -> str:
        return f"{self.unit} — {self.held_on:%d/%m/%Y}"

    def clean(self) -> None:
        errors = {}
        for field in ("unit", "period", "chair", "secretary"):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related is not None and related.institution_id != self.institution_id:
                errors[field] = _("This belongs to another institution.")
        for field in ("chair", "secretary"):
            person = getattr(self, field) if getattr(self, f"{field}_id") else None
            if person is not None and self.unit_id and person.unit_id != self.unit_id:
                errors.setdefault(field, _("Choose a member of the unit."))
        if self.present_count and self.present_count > (self.membership_total or 0):
            errors["present_count"] = _("More members present than the unit has.")
        if errors:
            raise ValidationError(errors)

    def check_attendance(self, attendances: list[Attendance]) -> None:
        """The attendance as a whole: every member once, the chair and the secretary present."""
        people = [a.person_id for a in attendances]
        if len(set(people)) != len(people):
            raise ValidationError(_("A member is listed twice in the attendance."))
        present = {a.person_id for a in attendances if a.present}
        if not present:
            raise ValidationError(_("Nobody is recorded as present."))
        errors = {}
        if self.chair_id not in present:
            errors["chair"] = _("The chair must be among the members present.")
        if self.secretary_id not in present:
            errors["secretary"] = _("The secretary must be among the members present.")
        if errors:
            raise ValidationError(errors)

    @property
    def absent_count(self) -> int:
        return self.membership_total - self.present_count


class Attendance(InstitutionOwned):
    """A member of the unit at the meeting: present, or absent with an optional reason."""

    meeting = models.ForeignKey(
        UnitMeeting, on_delete=models.CASCADE, related_name="attendances",
        verbose_name=_("meeting"),
    )  # fmt: skip
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    present = models.BooleanField(_("present"))
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["person__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="unit_meeting_member_once"),
            models.CheckConstraint(
                condition=Q(present=False) | Q(absence_reason=""),
                name="unit_meeting_present_has_no_absence_reason",
                violation_error_message=_("A member present has no reason for absence."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)

    def clean(self) -> None:
        if self.person_id and self.meeting_id:
            if self.person.institution_id != self.institution_id:
                raise ValidationError({"person": _("This belongs to another institution.")})
            if self.person.unit_id != self.meeting.unit_id:
                raise ValidationError({"person": _("Choose a member of the unit.")})
        if self.present and self.absence_reason:
            raise ValidationError(
                {"absence_reason": _("A member present has no reason for absence.")}
            )


class Evaluation(InstitutionOwned):
    """The meeting's result for one nominee: votes for and against, or agreed unanimously."""

    meeting = models.ForeignKey(
        UnitMeeting, on_delete=models.CASCADE, related_name="evaluations",
        verbose_name=_("meeting"),
    )  # fmt: skip
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="+", verbose_name=_("dossier")
    )
    position = models.PositiveSmallIntegerField(_("number"))
    unanimous = models.BooleanField(_("agreed unanimously by show of hands"), default=False)
    agree = models.PositiveIntegerField(_("agree"), null=True, blank=True)
    disagree = models.PositiveIntegerField(_("disagree"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The minutes this evaluation put into the dossier (gone when a draft's document is removed).
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("minutes attached"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("nominee's evaluation")
        verbose_name_plural = _("nominees' evaluations")
        ordering = ["position", "pk"]
        constraints = [
            # A dossier is judged by one meeting of its unit; a later judgement edits that one.
            models.UniqueConstraint(
                fields=["dossier"], name="unit_meeting_dossier_once",
                violation_error_message=_(
                    "This dossier was already evaluated at another meeting of the unit."
                ),
            ),
            models.CheckConstraint(
                condition=Q(unanimous=True, agree__isnull=True, disagree__isnull=True)
                | Q(unanimous=False, agree__isnull=False, disagree__isnull=False),
                name="unit_meeting_votes_or_unanimous",
                violation_error_message=_(
                    "Give either the votes for and against, or that the meeting agreed "
                    "unanimously."
                ),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return str(self.dossier)

    def clean(self) -> None:
        if not self.dossier_id or not self.meeting_id:
            return
        meeting, dossier = self.meeting, self.dossier
        if dossier.institution_id != self.institution_id or dossier.unit_id != meeting.unit_id:
            raise ValidationError({"dossier": _("The dossier is not one of the unit's.")})
        if dossier.period_id != meeting.period_id:
            raise ValidationError({"dossier": _("The dossier is of another period.")})
        if self.unanimous and (self.agree is not None or self.disagree is not None):
            raise ValidationError(
                _("Give either the votes for and against, or that the meeting agreed unanimously.")
            )
        if not self.unanimous:
            if self.agree is None or self.disagree is None:
                raise ValidationError(
                    _("Give the votes for and against, or that the meeting agreed unanimously.")
                )
            if self.agree + self.disagree > meeting.present_count:
                raise ValidationError(
                    _("%(votes)s votes are more than the %(present)s members present."),
                    params={"votes": self.agree + self.disagree, "present": meeting.present_count},
                )

    @property
    def agree_share(self) -> float | None:
        """The share of the members present who agreed (100% when agreed unanimously)."""
        if self.unanimous:
            return 100.0
        return 100.0 * self.agree / self.meeting.present_count
