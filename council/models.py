"""Council meetings and secret ballots.

Secrecy by construction: who voted (Participation) and what was voted (BallotContent and its
choices) live in separate tables that share nothing but the meeting — no foreign key, no
timestamp, no sequence. Ballot contents have random primary keys and are rewritten in a random
order on every cast (see services.cast_ballot), so neither row order, row ids nor the database's
transaction stamps can line a content up with a participation.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from dossiers.models import AwardType, Dossier, Period, Person
from dossiers.models.tenancy import InstitutionOwned


class Meeting(FSMModelMixin, InstitutionOwned):
    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for voting")
        CLOSED = "closed", _("Closed")

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="meetings",
                               verbose_name=_("period"))  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    chair = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("chair"))  # fmt: skip
    secretary = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("secretary"))  # fmt: skip
    state = FSMField(_("state"), default=State.PLANNED, choices=State.choices, protected=True)
    opened_at = models.DateTimeField(_("vote opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("vote closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude={*(exclude or ()), "state"})

    @property
    def total_membership(self) -> int:
        return self.members.count()

    @transition(field=state, source=State.PLANNED, target=State.OPEN)
    def open_vote(self):
        pass

    @transition(field=state, source=State.OPEN, target=State.CLOSED)
    def close_vote(self):
        pass


class MeetingMember(models.Model):
    """A member of the council invited to the meeting, and how they attended."""

    class Attendance(models.TextChoices):
        PRESENT = "present", _("Present")
        IN_WRITING = "in_writing", _("Absent, opinion in writing")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("member"))  # fmt: skip
    attendance = models.CharField(_("attendance"), max_length=20, choices=Attendance.choices,
                                  default=Attendance.PRESENT)  # fmt: skip

    class Meta:
        verbose_name = _("meeting member")
        verbose_name_plural = _("meeting members")
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_membership_per_meeting")
        ]

    def __str__(self) -> str:
        return str(self.person)


class AgendaItem(models.Model):
    """A reviewed dossier on the agenda, with its tally and outcome once the vote is closed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"))
    agree = models.PositiveSmallIntegerField(_("agree"), null=True, blank=True)
    disagree = models.PositiveSmallIntegerField(_("disagree"), null=True, blank=True)
    abstain = models.PositiveSmallIntegerField(_("no vote"), null=True, blank=True)
    recommended = models.BooleanField(_("recommended"), null=True, blank=True)
    # The award's rule as it stood when the vote closed (the catalogue may change later).
    threshold_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    threshold_comparison = models.CharField(max_length=20, blank=True,
                                            choices=AwardType.Comparison.choices)  # fmt: skip
    threshold_base = models.CharField(max_length=20, blank=True,
                                      choices=AwardType.VoteBase.choices)  # fmt: skip

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "dossier"], name="dossier_once_per_agenda"),
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.dossier}"


class Participation(models.Model):
    """That a member voted, and how (in person or in writing) — never what they voted."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        IN_WRITING = "in_writing", _("In writing")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="participations")
    member = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_ballot_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.meeting}"


class BallotContent(models.Model):
    """One ballot's choices, known only by its receipt code: no member, no time, no order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="ballots")
    receipt = models.CharField(_("receipt code"), max_length=20)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["receipt"]  # a random code: the only order ever shown
        constraints = [
            models.UniqueConstraint(fields=["meeting", "receipt"], name="receipt_unique")
        ]

    def __str__(self) -> str:
        return self.receipt


class BallotChoice(models.Model):
    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        ABSTAIN = "abstain", _("No vote")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(BallotContent, on_delete=models.CASCADE, related_name="choices")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="choices")
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices)

    class Meta:
        verbose_name = _("ballot choice")
        verbose_name_plural = _("ballot choices")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "item"], name="one_choice_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.ballot}: {self.item_id} {self.choice}"
