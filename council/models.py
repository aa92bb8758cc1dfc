"""Council meetings and secret ballots.

Secrecy by construction: who voted (Participation) and what was voted (SealedBallot) live in
separate tables that share nothing but the meeting. A sealed ballot is written once (the database
refuses UPDATE and DELETE) and encrypted to a per-meeting key kept outside the database and
destroyed after the tally, so the database alone — with every old row version, its WAL or a
backup — cannot tell what anyone chose. Closing the vote stores the tally in clear on each agenda
item and publishes the receipt codes (PublishedReceipt), which prove a ballot was counted, not
what it said.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

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
    recused = models.PositiveSmallIntegerField(_("recused"), null=True, blank=True)
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


class Choice(models.TextChoices):
    """What a member may answer on an agenda item."""

    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    ABSTAIN = "abstain", _("No vote")


class SealedBallot(models.Model):
    """One ballot, sealed to its meeting's key (council/sealing.py): written once, never changed.

    No member, no receipt, no choice and no time in clear. The key lives outside the database
    while the vote is open and is destroyed after the tally, so from then on nobody can open it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="sealed_ballots")
    sealed = models.BinaryField(_("sealed ballot"))

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")

    def __str__(self) -> str:
        return str(self.id)


class PublishedReceipt(models.Model):
    """A receipt code of a counted ballot, published when the vote closes (not what it said).

    Written in the closing transaction, all at once and in receipt order, so neither row order nor
    transaction stamps say more than the code itself.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="published_receipts"
    )
    receipt = models.CharField(_("receipt code"), max_length=20)

    class Meta:
        verbose_name = _("published receipt")
        verbose_name_plural = _("published receipts")
        ordering = ["meeting", "receipt"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "receipt"], name="receipt_published_once")
        ]

    def __str__(self) -> str:
        return self.receipt


class Recusal(models.Model):
    """A member who casts no ballot on an agenda item that concerns them; public, not secret."""

    class Ground(models.TextChoices):
        NOMINEE = "nominee", _("is the nominee")
        HEADS_NOMINATED_UNIT = "heads_nominated_unit", _("heads the nominated collective")

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="recusals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("member"))  # fmt: skip
    ground = models.CharField(_("ground"), max_length=30, choices=Ground.choices)

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        ordering = ["item__position", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["item", "person"], name="one_recusal_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.item}"


def written_opinion_path(opinion: WrittenOpinion, filename: str) -> str:
    return f"written_opinions/{opinion.meeting_id}/{uuid.uuid4().hex}{PurePath(filename).suffix}"


class WrittenOpinion(models.Model):
    """The scan of an absent member's signed written opinion, kept with the meeting and member.

    It is the member's own signed paper, entered by the secretary; it is linked to no sealed
    ballot and no receipt.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="written_opinions")
    member = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("member"))  # fmt: skip
    file = models.FileField(_("scanned opinion"), upload_to=written_opinion_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))  # fmt: skip

    class Meta:
        verbose_name = _("written opinion")
        verbose_name_plural = _("written opinions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_written_opinion")
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.meeting}"
